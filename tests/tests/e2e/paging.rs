//! `nextLink` paging of usage details on a small world: the CSV of a period is the CSV of
//! its halves; a `nextLink` to another origin is never followed. (The month of 51,150
//! rows is in `big_month`.)

use ea_mock_server::Config;
use ea_reporting::models::PagedJsonDataTitaniumJuly;
use ea_reporting::runtime::ApiRequest;
use ea_reporting::{Error, Page};
use futures_util::{StreamExt, TryStreamExt};

use crate::support::*;

#[tokio::test]
async fn the_csv_of_a_period_is_the_csv_of_its_two_halves() {
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();
    let download = |period: Option<&'static str>, range: Option<(u32, u32)>| {
        let client = client.clone();
        async move {
            let (start, end) = match range {
                Some((first, last)) => (Some(at(2018, 5, first)), Some(at(2018, 5, last))),
                None => (None, None),
            };
            let mut request = client.usage_details_download_v3_get(ENROLLMENT);
            if let Some(period) = period {
                request = request.billing_period(period);
            }
            if let (Some(start), Some(end)) = (start, end) {
                request = request.start_time(start).end_time(end);
            }
            let response = request.send().await.unwrap();
            parse_csv(&response.into_body().collect_bytes().await.unwrap())
        }
    };
    let (header, whole) = download(Some(PERIOD), None).await;
    let (header_a, first_half) = download(None, Some((1, 15))).await;
    let (header_b, second_half) = download(None, Some((16, 31))).await;
    assert_eq!(header_a, header);
    assert_eq!(header_b, header);
    assert_eq!(whole.len(), 12 * 31);
    assert_eq!(first_half.len(), 12 * 15);
    let halves: Vec<_> = first_half.into_iter().chain(second_half).collect();
    assert_eq!(halves, whole);
    // And the rows are the library's.
    let expected = library_rows(&small_config(42), 1, period_days());
    let mut digester = Digester::default();
    expected.iter().for_each(|row| digester.add_row(row));
    assert_eq!(digest_csv(&header, &whole), digester.finish());
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_never_followed() {
    let mut elsewhere = Sentinel::start().await;
    let foreign = format!("http://{}", elsewhere.addr);
    let mock = Mock::start(Config {
        public_url: Some(foreign.clone()),
        ..small_config(42)
    })
    .await;
    let client = mock.client();

    // Rows: the first page, then the refusal, then nothing.
    let mut rows = client
        .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .stream();
    let mut delivered = 0;
    let error = loop {
        match rows.next().await.expect("the stream ends with an error") {
            Ok(_) => delivered += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(delivered, 40, "the first page's rows still arrive");
    let Error::ForeignNextLink {
        next_link,
        expected_origin,
    } = &error
    else {
        panic!("expected ForeignNextLink, got {error:?}");
    };
    assert!(next_link.starts_with(&foreign), "{next_link}");
    assert!(next_link.contains("$skiptoken="), "{next_link}");
    assert_eq!(*expected_origin, mock.url());
    assert!(rows.next().await.is_none(), "nothing after the error");

    // Pages: the first one, then the refusal.
    let mut pages = client
        .usage_details_v3_get_by_custom_date(ENROLLMENT, at(2018, 5, 1), at(2018, 5, 31))
        .pages();
    let first = pages.next().await.unwrap().expect("the first page");
    assert_eq!(first.body().data.as_ref().map(Vec::len), Some(40));
    let second = pages.next().await.unwrap();
    assert!(
        matches!(second, Err(Error::ForeignNextLink { .. })),
        "{second:?}"
    );
    assert!(pages.next().await.is_none());

    assert_eq!(
        mock.api_requests().len(),
        2,
        "only the two first pages were asked for"
    );
    assert_eq!(
        elsewhere.connections_before_sentinel().await,
        0,
        "the client connected to the foreign origin"
    );
}

#[tokio::test]
async fn a_forwarded_host_link_is_not_followed_either() {
    let mut elsewhere = Sentinel::start().await;
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();
    // The raw plumbing the generated methods use, to add the proxy header the mock honours.
    let request = ApiRequest::get(
        "UsageDetailsV3_GetByBillingPeriod",
        format!("/v3/enrollments/{ENROLLMENT}/billingPeriods/{PERIOD}/usagedetails"),
    )
    .header("X-Forwarded-Host", elsewhere.addr.to_string());
    let results: Vec<Result<_, Error>> = client
        .http()
        .paginate::<PagedJsonDataTitaniumJuly>(request)
        .collect()
        .await;
    assert_eq!(results.len(), 41, "40 rows, then the error");
    assert!(results[..40].iter().all(Result::is_ok));
    assert!(
        matches!(&results[40], Err(Error::ForeignNextLink { next_link, .. })
            if next_link.starts_with(&format!("http://{}/", elsewhere.addr))),
        "{:?}",
        results[40]
    );
    assert_eq!(elsewhere.connections_before_sentinel().await, 0);

    // Control: without the header the same request pages through every row.
    let request = ApiRequest::get(
        "UsageDetailsV3_GetByBillingPeriod",
        format!("/v3/enrollments/{ENROLLMENT}/billingPeriods/{PERIOD}/usagedetails"),
    );
    let all: Vec<_> = client
        .http()
        .paginate::<PagedJsonDataTitaniumJuly>(request)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 12 * 31);
}

/// `Page` is what the stream forms are built on; the generated page type splits as the
/// service's envelope does.
#[test]
fn the_usage_page_splits_into_rows_and_link() {
    let page: PagedJsonDataTitaniumJuly =
        serde_json::from_str(r#"{"id":"x","data":[{"cost":1.5},{"cost":2}],"nextLink":"/n"}"#)
            .unwrap();
    let (rows, link) = page.into_parts();
    assert_eq!(rows.len(), 2);
    assert_eq!(link.as_deref(), Some("/n"));
}

/// The range fetched as days side by side gives the rows of the single request, in its order,
/// each once; also when the mock throttles hard enough to answer 429s (every row still arrives,
/// and the mock answered every day).
#[tokio::test]
async fn a_range_fetched_in_days_is_the_single_request_row_for_row() {
    for rate_limit in [None, Some(20)] {
        let mock = Mock::start(Config {
            page_size: 7,
            rate_limit,
            ..small_config(42)
        })
        .await;
        let client = mock.client();
        let (first, last) = (at(2018, 5, 1), at(2018, 5, 20));
        let single: Vec<_> = client
            .usage_details_v3_get_by_custom_date(ENROLLMENT, first, last)
            .stream()
            .try_collect()
            .await
            .unwrap();
        let split: Vec<_> = client
            .usage_details_v3_get_by_custom_date(ENROLLMENT, first, last)
            .stream_split(8)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("rate limit {rate_limit:?}: {e}"));
        assert_eq!(single.len(), 12 * 20);
        assert_eq!(split, single, "rate limit {rate_limit:?}");
        let statuses = mock.statuses();
        if rate_limit.is_some() {
            assert!(statuses.contains(&429), "the mock throttled: {statuses:?}");
        }
        // 2 pages a day (12 rows, pages of 7), each answered 200 once, plus the single chain.
        let ok = statuses.iter().filter(|s| **s == 200).count();
        assert_eq!(ok, 20 * 2 + (12 * 20usize).div_ceil(7), "{statuses:?}");
        mock.shutdown().await;
    }
}
