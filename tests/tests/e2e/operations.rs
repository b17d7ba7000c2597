//! The server side of the generated crate: `operations::match_request` maps a request to its
//! typed `Operation`, or says precisely why not, routing as the real (ASP.NET) service does.

use chrono::{TimeZone, Utc};
use ea_reporting::models::{Grain, LookBackPeriod};
use ea_reporting::operations::{Operation, ROUTES, match_request};
use ea_reporting::runtime::server::MatchError;
use http::{HeaderMap, Method};

fn get(path_and_query: &str) -> Result<Operation, MatchError> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    match_request(&Method::GET, path, query, &HeaderMap::new())
}

#[test]
fn every_route_of_the_spec_is_matched() {
    assert_eq!(ROUTES.len(), 19);
    for (id, method, template) in ROUTES {
        let path = template
            .replace("{enrollmentNumber}", "100")
            .replace("{billingPeriod}", "201805")
            .replace("{reportId}", "r1");
        let query = "startTime=2018-05-01&endTime=2018-05-31&startDate=2018-05-01&endDate=2018-05-31&grain=daily&billingPeriod=201805";
        let op = match_request(
            &method.parse().unwrap(),
            &path,
            Some(query),
            &HeaderMap::new(),
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(op.id(), id);
        assert_eq!(op.path_template(), template);
    }
}

#[test]
fn parameters_are_typed() {
    assert_eq!(
        get("/v3/enrollments/100/billingPeriods/201805/usagedetails").unwrap(),
        Operation::UsageDetailsV3GetByBillingPeriod {
            enrollment_number: "100".into(),
            billing_period: "201805".into()
        }
    );
    assert_eq!(
        get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=2017-01-01&endTime=2017-01-10T12:00:00Z").unwrap(),
        Operation::UsageDetailsV3GetByCustomDate {
            enrollment_number: "100".into(),
            start_time: Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap(),
            end_time: Utc.with_ymd_and_hms(2017, 1, 10, 12, 0, 0).unwrap(),
        }
    );
    assert_eq!(
        get("/v2/enrollments/100/reservationsummaries?grain=Monthly").unwrap(),
        Operation::ReservedInstancesV2GetReservationSummaries {
            enrollment_number: "100".into(),
            grain: Grain::Monthly,
            start_date: None,
            end_date: None,
        }
    );
    assert_eq!(
        get("/v2/enrollments/100/SharedReservationRecommendations?lookBackPeriod=30").unwrap(),
        Operation::ReservationRecommendationsV2GetShared {
            enrollment_number: "100".into(),
            look_back_period: Some(LookBackPeriod::Last30Days),
        }
    );
}

#[test]
fn paths_and_query_names_match_case_insensitively() {
    // The published document itself mixes billingPeriods and billingperiods.
    for path in [
        "/v3/enrollments/100/billingperiods/201805/usagedetails",
        "/V3/Enrollments/100/BILLINGPERIODS/201805/UsageDetails",
        "/v3/enrollments/100/billingPeriods/201805/usagedetails/",
    ] {
        assert!(
            matches!(
                get(path),
                Ok(Operation::UsageDetailsV3GetByBillingPeriod { .. })
            ),
            "{path}"
        );
    }
    // The reservation docs write `startdate` for `startDate`.
    assert!(matches!(
        get("/v2/enrollments/100/reservationdetails?startdate=2018-02-01&enddate=2018-02-28"),
        Ok(Operation::ReservedInstancesV2GetReservationDetails { .. })
    ));
}

#[test]
fn the_more_specific_route_wins() {
    assert!(matches!(
        get("/v3/enrollments/100/usagedetails/download?billingPeriod=201805"),
        Ok(Operation::UsageDetailsDownloadV3Get {
            billing_period: Some(_),
            ..
        })
    ));
    assert!(matches!(
        get("/v3/enrollments/100/usagedetails"),
        Ok(Operation::UsageDetailsV3GetByCurrentBillingPeriod { .. })
    ));
}

#[test]
fn path_values_are_percent_decoded() {
    assert_eq!(
        get("/v3/enrollments/10%200/balancesummary").unwrap(),
        Operation::BalanceSummaryV3GetByCurrentBillingPeriod {
            enrollment_number: "10 0".into()
        }
    );
}

#[test]
fn it_says_precisely_why_a_request_is_no_operation() {
    assert_eq!(
        get("/v3/enrollments/100/nothing").unwrap_err(),
        MatchError::UnknownPath {
            path: "/v3/enrollments/100/nothing".into()
        }
    );
    assert_eq!(
        match_request(
            &Method::POST,
            "/v3/enrollments/100/pricesheet",
            None,
            &HeaderMap::new()
        )
        .unwrap_err(),
        MatchError::MethodNotAllowed {
            method: "POST".into(),
            allowed: vec!["GET"]
        }
    );
    assert_eq!(
        get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=2017-01-01").unwrap_err(),
        MatchError::MissingParameter {
            name: "endTime",
            location: "query"
        }
    );
    let error =
        get("/v3/enrollments/100/usagedetailsbycustomdate?startTime=yesterday&endTime=2017-01-02")
            .unwrap_err();
    assert!(
        matches!(&error, MatchError::InvalidParameter { name: "startTime", location: "query", value, .. } if value == "yesterday"),
        "{error:?}"
    );
    assert!(error.to_string().contains("startTime"), "{error}");
    let error = get("/v2/enrollments/100/reservationsummaries?grain=weekly").unwrap_err();
    assert!(
        error.to_string().contains("daily"),
        "the message lists the allowed values: {error}"
    );
}
