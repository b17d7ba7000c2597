//! Parameters: 400 naming the parameter and why.

use http::StatusCode;

use crate::common::*;

async fn message_of(uri: &str) -> String {
    let reply = call(&small_app(), uri).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{uri}: {}",
        reply.text()
    );
    assert_eq!(reply.json()["error"]["code"], "400");
    reply.message()
}

#[tokio::test]
async fn billing_period_shape_and_bounds() {
    let base = "/v3/enrollments/100/billingPeriods";
    for (period, fragment) in [
        ("2018-05", "yyyyMM"),
        ("201813", "01 to 12"),
        ("201404", "before 201405"),
        ("201807", "in the future"),
    ] {
        let m = message_of(&format!("{base}/{period}/usagedetails")).await;
        assert!(
            m.contains("billingPeriod") && m.contains(fragment),
            "{period}: {m}"
        );
    }
}

#[tokio::test]
async fn custom_date_ranges() {
    let base = "/v3/enrollments/100/usagedetailsbycustomdate";
    let cases = [
        (
            "startTime=2018-01-01",
            "missing required query parameter `endTime`",
        ),
        (
            "startTime=soon&endTime=2018-01-01",
            "invalid query parameter `startTime`",
        ),
        (
            "startTime=2018-02-01&endTime=2018-01-01",
            "endTime 2018-01-01 is before startTime 2018-02-01",
        ),
        (
            "startTime=2015-01-01&endTime=2018-01-01",
            "at most 36 calendar months",
        ),
        (
            "startTime=2014-04-30&endTime=2014-05-02",
            "startTime 2014-04-30 is before 2014-05-01",
        ),
    ];
    for (query, fragment) in cases {
        let m = message_of(&format!("{base}?{query}")).await;
        assert!(m.contains(fragment), "{query}: {m}");
    }
    // Date-times are accepted too, and the 36-month limit is inclusive.
    let ok = call(
        &small_app(),
        &format!("{base}?startTime=2015-07-01T00:00:00Z&endTime=2018-06-30T23:59:59Z"),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test]
async fn csv_download_selection() {
    let base = "/v3/enrollments/100/usagedetails/download";
    let cases = [
        ("", "billingPeriod, or startTime and endTime, is required"),
        ("billingPeriod=201805&startTime=2018-05-01", "not both"),
        ("startTime=2018-05-01", "endTime is required"),
        ("endTime=2018-05-01", "startTime is required"),
        (
            "startTime=2018-04-15&endTime=2018-05-14",
            "at most 1 calendar month",
        ),
        ("billingPeriod=201899", "billingPeriod"),
    ];
    for (query, fragment) in cases {
        let m = message_of(&format!("{base}?{query}")).await;
        assert!(m.contains(fragment), "{query}: {m}");
    }
}

#[tokio::test]
async fn reservation_parameters() {
    let cases = [
        (
            "/v2/enrollments/100/reservationsummaries?grain=weekly",
            "invalid query parameter `grain`",
        ),
        (
            "/v2/enrollments/100/reservationsummaries",
            "missing required query parameter `grain`",
        ),
        (
            "/v2/enrollments/100/reservationsummaries?grain=daily",
            "required for the daily grain",
        ),
        (
            "/v2/enrollments/100/reservationsummaries?grain=monthly&startDate=2018-01-01",
            "endDate is required",
        ),
        (
            "/v2/enrollments/100/reservationdetails?startDate=2018-01-01",
            "`endDate`",
        ),
        (
            "/v3/enrollments/100/reservationcharges?startDate=2014-01-01&endDate=2015-01-01",
            "startDate 2014-01-01",
        ),
        (
            "/v2/enrollments/100/SharedReservationRecommendations?lookBackPeriod=14",
            "`lookBackPeriod`",
        ),
    ];
    for (uri, fragment) in cases {
        let m = message_of(uri).await;
        assert!(m.contains(fragment), "{uri}: {m}");
    }
}
