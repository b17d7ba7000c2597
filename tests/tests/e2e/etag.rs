//! ETag round trips: 200 with an ETag, the conditional call answers "not modified", and
//! after a data-version bump (the mock's admin endpoint, through plain reqwest) the data
//! comes again under a new ETag; for single documents, lists, the CSV download and pages.

use ea_reporting::{Conditional, ETag};
use futures_util::TryStreamExt;

use crate::support::*;

#[tokio::test]
async fn a_document_is_not_modified_until_the_data_version_changes() {
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();

    let first = client
        .balance_summary_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let tag = first.etag().expect("a 200 carries an ETag");
    assert!(!tag.is_weak(), "the mock gives strong tags: {tag:?}");

    let again = client
        .balance_summary_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .if_none_match(&tag)
        .await
        .unwrap();
    let Conditional::NotModified(not_modified) = again else {
        panic!("expected 304, got {again:?}");
    };
    assert_eq!(not_modified.status, 304);
    assert_eq!(
        not_modified.etag.as_ref(),
        Some(&tag),
        "a 304 repeats the tag"
    );

    // A weak form of the same tag matches too (If-None-Match compares weakly).
    let weak = ETag::parse(&format!("W/{}", tag.as_str())).unwrap();
    assert!(
        client
            .balance_summary_v3_get_by_billing_period(ENROLLMENT, PERIOD)
            .if_none_match(&weak)
            .await
            .unwrap()
            .is_not_modified()
    );

    assert_eq!(set_data_version(&mock.url(), None).await, 2);
    let changed = client
        .balance_summary_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .if_none_match(&tag)
        .await
        .unwrap();
    let Conditional::Modified(fresh) = changed else {
        panic!("the data version changed, yet 304");
    };
    assert_eq!(fresh.status(), 200);
    let new_tag = fresh.etag().expect("a new ETag");
    assert_ne!(new_tag, tag);
    assert_ne!(
        fresh.body().total_usage,
        first.body().total_usage,
        "another data version changes the generated costs"
    );
    assert!(
        client
            .balance_summary_v3_get_by_billing_period(ENROLLMENT, PERIOD)
            .if_none_match(&new_tag)
            .await
            .unwrap()
            .is_not_modified()
    );

    // Back to version 1: the old tag matches again.
    assert_eq!(set_data_version(&mock.url(), Some(1)).await, 1);
    assert!(
        client
            .balance_summary_v3_get_by_billing_period(ENROLLMENT, PERIOD)
            .if_none_match(&tag)
            .await
            .unwrap()
            .is_not_modified()
    );

    let sent: Vec<_> = mock
        .api_requests()
        .iter()
        .map(|l| (l.status, l.if_none_match.clone()))
        .collect();
    assert_eq!(
        sent,
        [
            (200, None),
            (304, Some(tag.as_str().to_owned())),
            (304, Some(weak.as_str().to_owned())),
            (200, Some(tag.as_str().to_owned())),
            (304, Some(new_tag.as_str().to_owned())),
            (304, Some(tag.as_str().to_owned())),
        ],
        "one request per call, If-None-Match as given"
    );
}

#[tokio::test]
async fn the_csv_download_round_trips_its_etag() {
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();
    let response = client
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .send()
        .await
        .unwrap();
    let tag = response.etag().unwrap();
    let before = response.into_body().collect_bytes().await.unwrap();

    let again = client
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .if_none_match(&tag)
        .await
        .unwrap();
    assert!(again.is_not_modified(), "{again:?}");

    set_data_version(&mock.url(), None).await;
    let fresh = client
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .if_none_match(&tag)
        .await
        .unwrap()
        .modified()
        .expect("new data after the bump");
    assert_ne!(fresh.etag().unwrap(), tag);
    let after = fresh.into_body().collect_bytes().await.unwrap();
    let (header, old_rows) = parse_csv(&before);
    let (_, new_rows) = parse_csv(&after);
    assert_eq!(old_rows.len(), new_rows.len(), "the same rows");
    let cost = column(&header, "cost");
    let instance = column(&header, "instanceId");
    assert!(
        old_rows
            .iter()
            .zip(&new_rows)
            .all(|(a, b)| a[instance] == b[instance]),
        "a data version keeps the resources"
    );
    assert!(
        old_rows
            .iter()
            .zip(&new_rows)
            .any(|(a, b)| a[cost] != b[cost]),
        "a data version changes the costs"
    );
}

#[tokio::test]
async fn paged_usage_is_not_modified_until_the_data_version_changes() {
    let config = small_config(42);
    let mock = Mock::start(config.clone()).await;
    let client = mock.client();

    let mut pages = client
        .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .pages();
    let first = pages.try_next().await.unwrap().unwrap();
    let tag = first.etag().expect("the first page has an ETag");
    drop(pages);

    let unchanged = client
        .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .pages_if_none_match(&tag)
        .await
        .unwrap();
    let Conditional::NotModified(not_modified) = unchanged else {
        panic!("expected 304 for the first page");
    };
    assert_eq!(not_modified.etag.as_ref(), Some(&tag));

    let requests_before_bump = mock.api_requests().len();
    assert_eq!(set_data_version(&mock.url(), None).await, 2);
    let changed = client
        .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .pages_if_none_match(&tag)
        .await
        .unwrap();
    let Conditional::Modified(response) = changed else {
        panic!("the data version changed, yet 304");
    };
    let new_tag = response.etag().expect("the first page's new ETag");
    assert_ne!(new_tag, tag);
    let mut digester = Digester::default();
    let mut page_tags = Vec::new();
    let mut pages = response.into_body();
    while let Some(page) = pages.try_next().await.unwrap() {
        page_tags.push(page.etag().unwrap());
        for row in page.body().data.as_deref().unwrap_or_default() {
            digester.add_row(row);
        }
    }
    assert_eq!(page_tags.len(), 10, "372 rows in pages of 40");
    assert_eq!(
        page_tags[0], new_tag,
        "the stream starts with the page already read"
    );

    let mut expected = Digester::default();
    for row in library_rows(&config, 2, period_days()) {
        expected.add_row(&row);
    }
    assert_eq!(
        digester.finish(),
        expected.finish(),
        "the rows of data version 2"
    );

    let after: Vec<_> = mock.api_requests()[requests_before_bump..]
        .iter()
        .map(|l| (l.status, l.if_none_match.is_some()))
        .collect();
    let mut want = vec![(200, true)];
    want.extend([(200, false); 9]);
    assert_eq!(after, want, "the first page is fetched once, conditionally");

    // With the new tag, the paged call is not modified again.
    assert!(
        client
            .usage_details_v3_get_by_billing_period(ENROLLMENT, PERIOD)
            .pages_if_none_match(&new_tag)
            .await
            .unwrap()
            .is_not_modified()
    );
}

#[tokio::test]
async fn the_data_version_can_also_come_from_the_configuration() {
    let v1 = Mock::start(small_config(42)).await;
    let v5 = Mock::start(ea_mock_server::Config {
        data_version: 5,
        ..small_config(42)
    })
    .await;
    let tag = v1
        .client()
        .price_sheets_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .send()
        .await
        .unwrap()
        .etag()
        .unwrap();
    let other = v5
        .client()
        .price_sheets_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .if_none_match(&tag)
        .await
        .unwrap()
        .modified()
        .expect("another data version, another tag");
    assert_ne!(other.etag().unwrap(), tag);
    // Prices are not generated quantities: the same price sheet under another tag.
    let same = v1
        .client()
        .price_sheets_v3_get_by_billing_period(ENROLLMENT, PERIOD)
        .send()
        .await
        .unwrap();
    assert_eq!(other.body(), same.body());
}
