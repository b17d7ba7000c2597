//! Every documented error status reaches the caller as its typed `ea_reporting::Error`,
//! with what the service said; retryable ones are retried as configured.

use std::time::Duration;

use ea_mock_server::Config;
use ea_reporting::runtime::ApiRequest;
use ea_reporting::{Client, Error, RetryPolicy};
use futures_util::StreamExt;

use crate::support::*;

/// The service's message in the error, or a failure naming the error.
fn message(error: &Error) -> String {
    error
        .api_error()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| panic!("no service message in {error:?}"))
}

fn assert_bad_request(result: Result<impl std::fmt::Debug, Error>, mentions: &[&str]) {
    let error = result.expect_err("a 400");
    assert!(matches!(error, Error::BadRequest(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(!error.is_retryable());
    let text = message(&error);
    for word in mentions {
        assert!(text.contains(word), "{text:?} does not mention {word:?}");
    }
    assert_eq!(error.api_error().unwrap().code.as_deref(), Some("400"));
}

#[tokio::test]
async fn bad_parameters_are_bad_requests_and_not_retried() {
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();

    assert_bad_request(
        client
            .balance_summary_v3_get_by_billing_period(ENROLLMENT, "201313")
            .send()
            .await,
        &["billingPeriod", "201313", "month 13"],
    );
    assert_bad_request(
        client
            .usage_details_v3_get_by_billing_period(ENROLLMENT, "201001")
            .send()
            .await,
        &["billingPeriod", "201001", "before"],
    );
    assert_bad_request(
        client
            .price_sheets_v3_get_by_billing_period(ENROLLMENT, "2018-05")
            .send()
            .await,
        &["billingPeriod", "yyyyMM"],
    );
    assert_bad_request(
        client
            .marketplaces_v3_get_marketplaces_by_billing_period(ENROLLMENT, "201807")
            .send()
            .await,
        &["201807", "future"],
    );
    // End before start.
    assert_bad_request(
        client
            .usage_details_v3_get_by_custom_date(ENROLLMENT, at(2018, 5, 10), at(2018, 5, 1))
            .send()
            .await,
        &["endTime", "before", "startTime"],
    );
    assert_bad_request(
        client
            .reserved_instances_v2_get_reservation_details(
                ENROLLMENT,
                at(2018, 3, 2),
                at(2018, 3, 1),
            )
            .send()
            .await,
        &["endDate", "startDate"],
    );
    // More than 36 months: 2015-01-01 to 2018-01-01 touches 37.
    assert_bad_request(
        client
            .marketplaces_v3_get_marketplaces_by_custom_date(
                ENROLLMENT,
                at(2015, 1, 1),
                at(2018, 1, 1),
            )
            .send()
            .await,
        &["37 calendar months", "36"],
    );
    // Exactly 36 months is allowed.
    client
        .marketplaces_v3_get_marketplaces_by_custom_date(
            ENROLLMENT,
            at(2015, 1, 1),
            at(2017, 12, 31),
        )
        .send()
        .await
        .expect("36 months are allowed");
    // The CSV download allows one month.
    assert_bad_request(
        client
            .usage_details_download_v3_get(ENROLLMENT)
            .start_time(at(2018, 4, 30))
            .end_time(at(2018, 5, 1))
            .send()
            .await
            .map(|_| ()),
        &["2 calendar months"],
    );
    assert_bad_request(
        client
            .usage_details_download_v3_get(ENROLLMENT)
            .billing_period(PERIOD)
            .start_time(at(2018, 5, 1))
            .send()
            .await
            .map(|_| ()),
        &["billingPeriod", "not both"],
    );
    // Unknown enrollment: the mock answers 400 "invalid EA number", as the service does.
    assert_bad_request(
        client.billing_periods_v2_get("999").send().await,
        &["invalid EA number", "999"],
    );
    assert_bad_request(
        client
            .usage_details_v3_get_by_billing_period("999", "201313")
            .send()
            .await,
        &["invalid EA number"],
    );
    // A paged stream reports the first page's error and ends.
    let mut rows = client
        .usage_details_v3_get_by_billing_period("999", PERIOD)
        .stream();
    let first = rows.next().await.expect("an error item");
    assert!(matches!(first, Err(Error::BadRequest(_))), "{first:?}");
    assert!(rows.next().await.is_none());

    let statuses = mock.statuses();
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 12);
    assert_eq!(statuses.len(), 13, "no 400 was retried: {statuses:?}");
}

#[tokio::test]
async fn an_unknown_key_is_unauthorized_and_not_retried() {
    let mock = Mock::start(small_config(42)).await;
    let client = client_with(&mock.url(), "not-the-key", fast_retries(3));
    let error = client
        .balance_summary_v3_get_by_current_billing_period(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(message(&error).contains("not valid"), "{error}");
    assert!(
        !error.to_string().contains("not-the-key"),
        "the key never shows: {error}"
    );

    // A 304 needs a valid key too.
    let tag = mock
        .client()
        .balance_summary_v3_get_by_current_billing_period(ENROLLMENT)
        .send()
        .await
        .unwrap()
        .etag()
        .unwrap();
    let error = client
        .balance_summary_v3_get_by_current_billing_period(ENROLLMENT)
        .if_none_match(&tag)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert_eq!(mock.statuses(), [401, 200, 401]);
}

#[tokio::test]
async fn an_empty_key_is_refused_before_anything_is_sent() {
    let mock = Mock::start(small_config(42)).await;
    for key in ["", "   ", "two\nlines"] {
        let error = Client::builder()
            .base_url(mock.url())
            .api_key(key)
            .build()
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidArgument { name, .. } if name == "api_key"),
            "{key:?}: {error:?}"
        );
        assert_eq!(error.status(), None);
    }
    let error = Client::builder().base_url(mock.url()).build().unwrap_err();
    assert!(
        matches!(&error, Error::InvalidArgument { name, .. } if name == "api_key"),
        "no key at all: {error:?}"
    );
    assert!(mock.api_requests().is_empty());
}

#[tokio::test]
async fn path_parameters_that_would_leave_the_route_are_refused_unsent() {
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();
    for enrollment in ["", ".", ".."] {
        let error = client
            .billing_periods_v2_get(enrollment)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidArgument { name, .. } if name == "path"),
            "{enrollment:?}: {error:?}"
        );
    }
    assert!(mock.api_requests().is_empty(), "nothing was sent");
    // Anything else is one encoded segment: the mock sees an unknown enrollment.
    for enrollment in ["../100", "100/billingperiods", "1 0?x=#"] {
        let error = client
            .billing_periods_v2_get(enrollment)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::BadRequest(_)),
            "{enrollment:?}: {error:?}"
        );
        assert!(message(&error).contains("invalid EA number"), "{error}");
    }
    assert_eq!(mock.statuses(), [400, 400, 400]);
}

#[tokio::test]
async fn an_unknown_path_is_not_found() {
    let mock = Mock::start(small_config(42)).await;
    let client = mock.client();
    // Through the runtime's request plumbing, which the generated methods use.
    let error = client
        .http()
        .execute_json::<serde_json::Value>(ApiRequest::get(
            "NoSuchOperation",
            format!("/v3/enrollments/{ENROLLMENT}/nosuchreport"),
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(message(&error).contains("nosuchreport"), "{error}");
    assert!(!error.is_retryable());

    // A raw reqwest answer mapped by the runtime's own status table.
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/v2/enrollments/{ENROLLMENT}/nothing",
            mock.url()
        ))
        .header("Authorization", format!("bearer {KEY}"))
        .send()
        .await
        .unwrap();
    let status = raw.status();
    let headers = raw.headers().clone();
    let body = raw.bytes().await.unwrap();
    let error = ea_reporting::runtime::error::from_response(
        status,
        headers,
        body,
        ea_reporting::client::SERVICE.retry_after_headers,
    );
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(error.api_error().unwrap().code.as_deref(), Some("404"));

    assert_eq!(mock.statuses(), [404, 404], "a 404 is not retried");
}

#[tokio::test]
async fn a_forced_404_on_a_real_operation_is_not_found() {
    let mock = Mock::forcing(small_config(42), Force::always(404)).await;
    let error = mock
        .client()
        .price_sheets_v3_get(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(mock.statuses(), [404]);
}

#[tokio::test]
async fn throttling_is_retried_until_it_succeeds() {
    let mock = Mock::forcing(
        small_config(42),
        Force {
            status: 429,
            first: 2,
        },
    )
    .await;
    let response = mock
        .client()
        .reservation_recommendations_v2_get_shared(ENROLLMENT)
        .send()
        .await
        .expect("the third attempt succeeds");
    assert!(!response.body().is_empty());
    assert_eq!(mock.statuses(), [429, 429, 200]);
}

#[tokio::test]
async fn the_rate_limiter_is_waited_out_using_its_retry_header() {
    let mock = Mock::start(Config {
        rate_limit: Some(1),
        ..small_config(42)
    })
    .await;
    let client = client_with(
        &mock.url(),
        KEY,
        RetryPolicy {
            max_retry_after: Duration::from_secs(5),
            ..fast_retries(3)
        },
    );
    // Back-to-back calls: the second inside the limiter's one-second window is
    // throttled, and the client waits the window out (the seconds the limiter gives in
    // the service's retry header) and gets through. A stalled machine may let a window
    // pass between two calls, so a few calls are allowed to provoke the first 429.
    for _ in 0..5 {
        client
            .billing_periods_v2_get(ENROLLMENT)
            .send()
            .await
            .expect("throttling is retried");
        if mock.api_requests().iter().any(|l| l.status == 429) {
            break;
        }
    }
    let log = mock.api_requests();
    let throttled: Vec<_> = log
        .iter()
        .enumerate()
        .filter(|(_, l)| l.status == 429)
        .collect();
    assert!(!throttled.is_empty(), "never throttled: {log:?}");
    for (n, entry) in throttled {
        assert_eq!(entry.fault, Some("rate-limit"), "{entry:?}");
        assert_eq!(log.get(n + 1).map(|l| l.status), Some(200), "{log:?}");
    }
    assert_eq!(log.first().map(|l| l.status), Some(200));
}

#[tokio::test]
async fn throttling_gives_up_after_the_configured_retries() {
    let mock = Mock::forcing(small_config(42), Force::always(429)).await;
    let client = client_with(&mock.url(), KEY, fast_retries(2));
    let error = client
        .billing_periods_v2_get(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    let Error::TooManyRequests {
        error: api,
        retry_after,
    } = &error
    else {
        panic!("expected TooManyRequests, got {error:?}");
    };
    assert_eq!(api.status, 429);
    assert_eq!(*retry_after, Some(Duration::ZERO), "the mock's hint, 0 s");
    assert_eq!(
        api.headers["x-ms-ratelimit-microsoft.consumption-retry-after"],
        "0"
    );
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert_eq!(mock.statuses(), [429, 429, 429], "1 attempt + 2 retries");
}

#[tokio::test]
async fn a_long_retry_hint_is_reported_instead_of_waited() {
    let config = Config {
        retry_after_secs: 30,
        ..small_config(42)
    };
    let policy = RetryPolicy {
        max_retry_after: Duration::from_secs(1),
        ..fast_retries(5)
    };
    for status in [429, 503] {
        let mock = Mock::forcing(config.clone(), Force::always(status)).await;
        let client = client_with(&mock.url(), KEY, policy.clone());
        let started = std::time::Instant::now();
        let error = client
            .reserved_instances_v3_get(ENROLLMENT, at(2018, 1, 1), at(2018, 5, 31))
            .send()
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "it did not wait 30 s"
        );
        assert_eq!(
            error.retry_after(),
            Some(Duration::from_secs(30)),
            "{error}"
        );
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        match status {
            429 => assert!(matches!(error, Error::TooManyRequests { .. }), "{error:?}"),
            _ => {
                assert!(
                    matches!(error, Error::ServiceUnavailable { .. }),
                    "{error:?}"
                );
                assert_eq!(error.api_error().unwrap().headers["retry-after"], "30");
            }
        }
        assert!(error.to_string().contains("retry after 30 s"), "{error}");
        assert_eq!(mock.statuses(), [status], "no retry against a 30 s hint");
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    // 500: retried, then succeeds.
    let mock = Mock::forcing(
        small_config(42),
        Force {
            status: 500,
            first: 1,
        },
    )
    .await;
    mock.client()
        .price_sheets_v3_get(ENROLLMENT)
        .send()
        .await
        .expect("the retry succeeds");
    assert_eq!(mock.statuses(), [500, 200]);

    // 500 for good.
    let mock = Mock::forcing(small_config(42), Force::always(500)).await;
    let error = client_with(&mock.url(), KEY, fast_retries(2))
        .price_sheets_v3_get(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ServerError(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.retry_after(), None);
    assert!(message(&error).contains("Internal Server Error"), "{error}");
    assert_eq!(mock.statuses(), [500, 500, 500]);

    // 503 for good, with its Retry-After.
    let mock = Mock::forcing(small_config(42), Force::always(503)).await;
    let error = client_with(&mock.url(), KEY, fast_retries(1))
        .balance_summary_v3_get_by_current_billing_period(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    let Error::ServiceUnavailable {
        error: api,
        retry_after,
    } = &error
    else {
        panic!("expected ServiceUnavailable, got {error:?}");
    };
    assert_eq!(api.status, 503);
    assert_eq!(api.headers["retry-after"], "0");
    assert_eq!(*retry_after, Some(Duration::ZERO));
    assert_eq!(mock.statuses(), [503, 503]);

    // The CSV download is retried too (before its body streams).
    let mock = Mock::forcing(
        small_config(42),
        Force {
            status: 503,
            first: 1,
        },
    )
    .await;
    let csv = mock
        .client()
        .usage_details_download_v3_get(ENROLLMENT)
        .billing_period(PERIOD)
        .send()
        .await
        .expect("the retry succeeds");
    let (_, records) = parse_csv(&csv.into_body().collect_bytes().await.unwrap());
    assert_eq!(records.len(), 12 * 31);
    assert_eq!(mock.statuses(), [503, 200]);

    // With retries off, one request only.
    let mock = Mock::forcing(small_config(42), Force::always(503)).await;
    let error = client_with(&mock.url(), KEY, RetryPolicy::none())
        .billing_periods_v2_get(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ServiceUnavailable { .. }));
    assert_eq!(mock.statuses(), [503]);
}

#[tokio::test]
async fn an_undocumented_status_is_unexpected_and_a_post_is_not_retried() {
    let mock = Mock::start(small_config(42)).await;
    let error = mock
        .client()
        .http()
        .execute_json::<serde_json::Value>(ApiRequest::post(
            "NoSuchOperation",
            format!("/v3/enrollments/{ENROLLMENT}/pricesheet"),
        ))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UnexpectedStatus(_)), "{error:?}");
    let api = error.api_error().unwrap();
    assert_eq!(api.status, 405);
    assert_eq!(api.headers["allow"], "GET");
    assert_eq!(mock.statuses(), [405]);

    // A retryable status on a POST is not retried either: sending it again could act twice.
    let mock = Mock::forcing(small_config(42), Force::always(503)).await;
    let error = mock
        .client()
        .http()
        .execute_json::<serde_json::Value>(ApiRequest::post(
            "NoSuchOperation",
            format!("/v3/enrollments/{ENROLLMENT}/pricesheet"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ServiceUnavailable { .. }),
        "{error:?}"
    );
    assert_eq!(mock.statuses(), [503]);
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    // Bound but never listening: refused, and the port is not handed to another test meanwhile.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}", socket.local_addr().unwrap());
    let error = client_with(&url, KEY, fast_retries(1))
        .billing_periods_v2_get(ENROLLMENT)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.is_connect()),
        "{error:?}"
    );
    assert_eq!(error.status(), None);
}
