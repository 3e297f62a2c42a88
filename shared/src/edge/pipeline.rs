//! The one request pipeline. Every function's handler runs inside [`serve`], which answers a
//! panic with its API family's general error (never the panic's text, which may quote input)
//! and writes the request's one log line. [`back_office`] adds what every merchant-key route
//! does: authenticate, check the method, answer problem+json, forbid caching.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use futures::FutureExt;
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::http::{HeaderMap, Method, StatusCode};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};

use super::problem::ApiError;
use super::response::{ReadUnits, no_store};
use crate::ground::ids::MerchantId;
use crate::merchant::{Authenticator, MerchantStore};

/// One function's endpoint, as the pipeline needs to know it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The route as API Gateway names it (`/dataSet/{guid}`), for the log line.
    pub route: &'static str,
    /// The method this function serves.
    pub method: Method,
    /// Every method the path serves, across its functions: the `Allow` of a 405.
    pub allow: &'static str,
}

/// Runs one request's handler, which answers the response and the merchant it learnt. A panic
/// is answered by `on_panic` and logged without its message.
pub async fn serve<Fut>(
    req: &Request,
    route: &'static str,
    on_panic: fn() -> Response<Body>,
    handler: Fut,
) -> Response<Body>
where
    Fut: Future<Output = (Response<Body>, Option<MerchantId>)>,
{
    let started = Instant::now();
    let (response, merchant) = match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(answered) => answered,
        Err(_) => {
            tracing::error!(
                route,
                "the handler panicked; answered with the general error"
            );
            (on_panic(), None)
        }
    };
    let read_units = response
        .extensions()
        .get::<ReadUnits>()
        .map(|units| units.0);
    log_request(
        req,
        route,
        response.status(),
        started,
        merchant.as_ref(),
        read_units,
    );
    response
}

/// A merchant-key route: authenticate, check the method, run the handler; every failure as
/// problem+json, and no response may be cached.
pub async fn back_office<K, H, Fut>(
    req: &Request,
    endpoint: &Endpoint,
    auth: &Authenticator<K>,
    handler: H,
) -> Response<Body>
where
    K: MerchantStore,
    H: FnOnce(MerchantId) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    serve(req, endpoint.route, ApiError::panicked, async {
        let (result, merchant) = match auth.authenticate(presented_key(req.headers())).await {
            Err(err) => (Err(ApiError::from(err)), None),
            Ok(merchant) if req.method() != endpoint.method => (
                Err(ApiError::MethodNotAllowed {
                    method: req.method().to_string(),
                    allow: endpoint.allow,
                }),
                Some(merchant),
            ),
            Ok(merchant) => (handler(merchant.clone()).await, Some(merchant)),
        };
        let mut response = result.unwrap_or_else(ApiError::into_response);
        no_store(&mut response);
        (response, merchant)
    })
    .await
}

/// `Authorization: Bearer <key>` (scheme case-insensitive) or `x-api-key: <key>`.
pub fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    bearer
        .or_else(|| {
            headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        })
        .filter(|key| !key.is_empty())
}

/// A path parameter API Gateway extracted (`{guid}`).
pub fn path_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
}

/// Set by the first request an instance serves: later ones are warm.
static WARM: AtomicBool = AtomicBool::new(false);

/// The one log line of a request. Only these fields: nothing a donor or integrator sent.
/// `request_id` is API Gateway's, the id its access log carries; the Lambda runtime adds its
/// own request id and trace id as the span of every line.
fn log_request(
    req: &Request,
    route: &'static str,
    status: StatusCode,
    started: Instant,
    merchant: Option<&MerchantId>,
    read_units: Option<f64>,
) {
    let request_id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.as_deref(),
        _ => None,
    };
    tracing::info!(
        method = %req.method(),
        request_id,
        cold_start = !WARM.swap(true, Ordering::Relaxed),
        route,
        status = status.as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        merchant = merchant.map(MerchantId::as_str),
        read_units,
        "request"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    #[test]
    fn keys_are_read_from_bearer_or_x_api_key() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_key(&headers), None);
        headers.insert("x-api-key", HeaderValue::from_static("k1"));
        assert_eq!(presented_key(&headers), Some("k1"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer k2"));
        assert_eq!(presented_key(&headers), Some("k2"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic k3"));
        assert_eq!(presented_key(&headers), Some("k1"));
    }

    #[tokio::test]
    async fn a_panic_is_answered_without_its_message() {
        let req = Request::default();
        let response = serve(&req, "/test", ApiError::panicked, async {
            let secret = "DE89370400440532013000";
            if std::hint::black_box(true) {
                panic!("failed on {secret}");
            }
            (Response::new(Body::Empty), None)
        })
        .await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = std::str::from_utf8(response.body().as_ref()).expect("utf-8");
        assert!(!body.contains("DE89"), "{body}");
        assert!(body.contains("Something went wrong"), "{body}");
    }
}
