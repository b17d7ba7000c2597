//! A month of 51,150 usage rows (10 subscriptions × 165 rows × 31 days, pages of 5,000)
//! against the rows computed from the mock's own library: the JSON pages hold every row
//! once and in order, also through injected faults, and the CSV download holds the same
//! rows. The module sorts first so these, the slowest tests, start first.

use ea_mock_server::Config;
use ea_reporting::models::UsageDetailsDeNormalizedTitaniumJuly as UsageDetail;
use ea_reporting::runtime::service_csv::{self, ServiceCsv};
use futures_util::TryStreamExt;

use crate::support::*;

#[tokio::test]
async fn csv_download_holds_the_rows_of_the_json_pages() {
    let client = client(big_mock_url());
    // The JSON pages of the same period (paged once per run, shared with
    // `the_pages_hold_every_row_once_in_order`), fetched meanwhile on the blocking pool.
    let json = tokio::task::spawn_blocking(big_month_pages);
    let response = client
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .send()
        .await
        .expect("the download starts");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert_eq!(content_type, "application/octet-stream");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains("usagedetails-100-2018-05-01-2018-05-31.csv"),
        "{disposition}"
    );
    let bytes = response.into_body().collect_bytes().await.unwrap();
    let (header, records) = parse_csv(&bytes);
    let json = &json
        .await
        .unwrap()
        .as_ref()
        .expect("every JSON page arrives")
        .rows;
    let captions: Vec<&str> = UsageDetail::LAYOUT
        .columns
        .iter()
        .map(|c| c.caption)
        .collect();
    assert_eq!(header, captions, "CSV columns are the service's captions");
    assert_eq!(
        records.len(),
        json.len(),
        "as many CSV records as JSON rows"
    );
    assert_eq!(json.len() as u64, BIG_MONTH_ROWS);

    let col = |name| column(&header, name);
    let (date, instance, meter, cost, quantity, rate, guid, tags, group) = (
        col("date"),
        col("instanceId"),
        col("meterId"),
        col("cost"),
        col("consumedQuantity"),
        col("resourceRate"),
        col("subscriptionGuid"),
        col("tags"),
        col("resourceGroup"),
    );
    let number = |text: &str| -> f64 { text.parse().unwrap() };
    for (i, (record, row)) in records.iter().zip(json).enumerate() {
        assert_eq!(record[date].len(), "2018-05-01".len(), "row {i}: a date");
        let when = ea_reporting::runtime::datetime::parse_lenient(&record[date]).unwrap();
        assert_eq!(Some(when), row.date, "row {i}: date");
        assert_eq!(
            Some(&record[instance]),
            row.instance_id.as_deref(),
            "row {i}"
        );
        assert_eq!(Some(&record[meter]), row.meter_id.as_deref(), "row {i}");
        assert_eq!(Some(number(&record[cost])), row.cost, "row {i}: cost");
        assert_eq!(
            Some(number(&record[quantity])),
            row.consumed_quantity,
            "row {i}: consumedQuantity"
        );
        assert_eq!(Some(number(&record[rate])), row.resource_rate, "row {i}");
        assert_eq!(
            Some(&record[guid]),
            row.subscription_guid.as_deref(),
            "row {i}"
        );
        assert_eq!(Some(&record[tags]), row.tags.as_deref(), "row {i}: tags");
        assert_eq!(
            Some(&record[group]),
            row.resource_group.as_deref(),
            "row {i}"
        );
    }
    assert_eq!(&digest_csv(&header, &records), big_month_expected());

    // The same download read into typed rows: exactly the JSON rows, every field.
    let typed: Vec<UsageDetail> = client
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .rows()
        .await
        .expect("the download starts")
        .into_body()
        .try_collect()
        .await
        .expect("every record reads into a row");
    assert_eq!(typed.len(), json.len());
    for (i, (typed, row)) in typed.iter().zip(json).enumerate() {
        assert_eq!(typed, row, "row {i}");
    }

    // And into one row filled again and again (`next_into`): still each JSON row, whole.
    let body = client
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .send()
        .await
        .expect("the download starts")
        .into_body();
    let mut reader = service_csv::reader::<UsageDetail>(body);
    let mut reused = UsageDetail::default();
    let mut read = 0;
    while let Some(result) = reader.next_into(&mut reused).await {
        result.unwrap_or_else(|e| panic!("record {read}: {e}"));
        assert_eq!(&reused, &json[read], "row {read}, read into a reused row");
        read += 1;
    }
    assert_eq!(read, json.len());
}

/// Multi-threaded: the mock generates while the client decodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_lose_and_repeat_no_row() {
    let config = Config {
        page_size: 1_000,
        fault_rate: 0.1,
        ..big_config()
    };
    let mock = Mock::start(config).await;
    let client = client_with(&mock.url(), KEY, fast_retries(10));
    let mut rows = client
        .usage_details_v3_get_by_custom_date(ENROLLMENT, at(2018, 5, 1), at(2018, 5, 31))
        .stream();
    let mut digester = Digester::default();
    while let Some(row) = rows
        .try_next()
        .await
        .expect("retries get through every fault")
    {
        digester.add_row(&row);
    }
    assert_eq!(
        &digester.finish(),
        big_month_expected(),
        "the rows differ from the library's after retries"
    );

    let log = mock.api_requests();
    for entry in &log {
        assert_eq!(entry.method, "GET");
        assert!(
            entry
                .target
                .starts_with("/v3/enrollments/100/usagedetailsbycustomdate?"),
            "{entry:?}"
        );
        if entry.fault.is_none() {
            // Injected statuses are answered before the mock matches the operation.
            assert_eq!(entry.operation, Some("UsageDetailsV3_GetByCustomDate"));
        }
    }
    let pages = BIG_MONTH_ROWS.div_ceil(1_000) as usize;
    let clean: Vec<_> = log.iter().filter(|l| l.is_clean_ok()).collect();
    let faulted: Vec<_> = log.iter().filter(|l| l.fault.is_some()).collect();
    assert_eq!(
        clean.len(),
        pages,
        "each page was served cleanly exactly once"
    );
    assert_eq!(
        log.len(),
        pages + faulted.len(),
        "every other request was a fault"
    );
    assert!(
        faulted.len() >= 2,
        "a 10% fault rate over {} requests injected only {} faults",
        log.len(),
        faulted.len()
    );
    // Every fault was retried with the very same request, and the mock's own fault
    // schedule (a pure function of seed and request number) agrees with its log.
    for (n, entry) in log.iter().enumerate() {
        let scheduled = mock.state().faults.fault_at(n as u64);
        assert_eq!(
            scheduled.is_some(),
            entry.fault.is_some(),
            "request {n}: {entry:?} vs schedule {scheduled:?}"
        );
        if entry.fault.is_some() {
            assert!(
                matches!(entry.status, 200 | 429 | 500 | 503),
                "request {n}: {entry:?}"
            );
            assert_eq!(
                log.get(n + 1).map(|next| &next.target),
                Some(&entry.target),
                "request {n} was not retried as such"
            );
        }
    }
    let kinds: std::collections::BTreeSet<_> = faulted
        .iter()
        .map(|l| (l.status, l.fault.unwrap_or_default()))
        .collect();
    eprintln!(
        "{} requests for {pages} pages; faults injected: {kinds:?}",
        log.len()
    );
    mock.shutdown().await;
}

#[test]
fn the_pages_hold_every_row_once_in_order() {
    let month = big_month_pages().as_ref().expect("every page arrives");
    let mut expected_sizes = vec![5_000; 10];
    expected_sizes.push(1_150);
    assert_eq!(
        month.sizes, expected_sizes,
        "pages of --page-size rows, the rest last"
    );
    let (last, followed) = month.links.split_last().unwrap();
    assert_eq!(*last, None, "the last page has no nextLink");
    for link in followed {
        let link = link.as_deref().expect("every other page has a nextLink");
        assert!(
            link.starts_with(big_mock_url()),
            "{link} is on the mock's origin"
        );
    }
    let mut digester = Digester::default();
    month.rows.iter().for_each(|row| digester.add_row(row));
    let got = digester.finish();
    assert_eq!(got.rows, BIG_MONTH_ROWS);
    assert_eq!(got.distinct_keys, got.rows, "a row came twice");
    assert_eq!(
        &got,
        big_month_expected(),
        "the pages differ from the rows the mock's library generates"
    );
}
