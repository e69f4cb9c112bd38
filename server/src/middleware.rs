//! Layers every request passes through: security headers, the cross-site check and the body
//! size limit.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::error::ApiError;

/// The largest request body accepted. Twofold's requests are a few hundred bytes; anything near
/// this is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Adds the security headers to every response. Pages set their own Content-Security-Policy
/// (with the nonce of their hydration script); everything else gets one that allows nothing.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}

/// Refuses state-changing requests that a browser sent from another site: a foreign `Origin`,
/// or, when there is no `Origin`, a foreign `Referer`. Requests with neither (programs using
/// the API) pass; the session cookie's `SameSite=Lax` already keeps it off cross-site posts.
pub async fn refuse_cross_site_writes(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers()) {
        tracing::warn!(method = %req.method(), path = req.uri().path(), "cross-site write refused");
        return ApiError::forbidden(
            "Requests that change something must come from Twofold's own pages.",
        )
        .into_response();
    }
    next.run(req).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return headers.contains_key(header::ORIGIN) || headers.contains_key(header::REFERER);
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER));
    let Some(source) = source else {
        return false;
    };
    let authority = source
        .to_str()
        .ok()
        .and_then(|value| value.parse::<axum::http::Uri>().ok())
        .and_then(|uri| uri.authority().map(|a| a.as_str().to_ascii_lowercase()));
    // "null" (a sandboxed or privacy-stripped origin) has no authority and counts as foreign.
    authority.as_deref() != Some(host.to_ascii_lowercase().as_str())
}

/// Answers 413 `body_too_large` for a body above the limit, whoever would have read it: at once
/// when its declared length is too large, and otherwise (a chunked body) by reading it here,
/// up to the limit, before any handler or server function sees it. Without this, a server
/// function meeting a chunked body that runs past the limit would fail as an internal error.
pub async fn limit_body_size(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES as u64 => {
            return ApiError::body_too_large().into_response();
        }
        Some(_) => return next.run(req).await,
        None => {}
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => next.run(Request::from_parts(parts, bytes.into())).await,
        Err(_) => ApiError::body_too_large().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn cross_site_is_judged_by_origin_then_referer() {
        use header::{HOST, ORIGIN, REFERER};
        let cases = [
            (vec![(HOST, "app.test:3000")], false),
            (
                vec![(HOST, "app.test:3000"), (ORIGIN, "http://app.test:3000")],
                false,
            ),
            (
                vec![(HOST, "app.test:3000"), (ORIGIN, "http://evil.test")],
                true,
            ),
            (vec![(HOST, "app.test:3000"), (ORIGIN, "null")], true),
            (
                vec![
                    (HOST, "app.test:3000"),
                    (REFERER, "http://app.test:3000/login"),
                ],
                false,
            ),
            (
                vec![(HOST, "app.test:3000"), (REFERER, "http://evil.test/form")],
                true,
            ),
            (
                vec![(HOST, "APP.test:3000"), (ORIGIN, "http://app.TEST:3000")],
                false,
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(is_cross_site(&headers(&pairs)), expected, "{pairs:?}");
        }
    }
}
