//! Requests to responses: routing, methods, the size limit, ETag and 304.
//! No I/O here; hyper parses the requests.

use bytes::Bytes;
use headers::{HeaderMapExt, IfNoneMatch};
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::published::{Doc, Rendered};

/// The request line and the headers together (CLI.md: 8 KiB).
pub const HEAD_LIMIT: usize = 8 * 1024;

pub const JWKS_PATHS: [&str; 2] = ["/.well-known/jwks.json", "/jwks"];
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// What a response needs besides the documents.
pub struct Site {
    pub cache_control: HeaderValue,
    pub discovery: bool,
}

enum Route {
    Jwks,
    Discovery,
}

/// The response to `req`, given the documents of this moment (`Err`:
/// they could not be rendered).
pub fn respond<B>(
    site: &Site,
    req: &Request<B>,
    docs: impl FnOnce() -> anyhow::Result<std::sync::Arc<Rendered>>,
) -> Response<Full<Bytes>> {
    let (line, head) = head_size(req);
    if line > HEAD_LIMIT {
        return plain(StatusCode::URI_TOO_LONG, "request line too long\n");
    }
    if head > HEAD_LIMIT {
        return plain(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers too large\n",
        );
    }
    let route = match req.uri().path() {
        p if JWKS_PATHS.contains(&p) => Route::Jwks,
        p if site.discovery && p == DISCOVERY_PATH => Route::Discovery,
        _ => return plain(StatusCode::NOT_FOUND, "not found\n"),
    };
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let rendered = match docs() {
        Ok(rendered) => rendered,
        Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"),
    };
    let (doc, content_type) = match route {
        Route::Jwks => (&rendered.jwks, "application/jwk-set+json"),
        Route::Discovery => match &rendered.discovery {
            Some(doc) => (doc, "application/json"),
            None => return plain(StatusCode::NOT_FOUND, "not found\n"),
        },
    };
    document(site, req, doc, content_type)
}

fn document<B>(
    site: &Site,
    req: &Request<B>,
    doc: &Doc,
    content_type: &'static str,
) -> Response<Full<Bytes>> {
    let unchanged = req
        .headers()
        .typed_get::<IfNoneMatch>()
        .is_some_and(|inm| !inm.precondition_passes(&doc.etag));
    let (status, body) = if unchanged {
        (StatusCode::NOT_MODIFIED, Bytes::new())
    } else {
        (StatusCode::OK, doc.body.clone())
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if !unchanged {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    headers.insert(header::ETAG, doc.etag_header.clone());
    headers.insert(header::CACHE_CONTROL, site.cache_control.clone());
    // The set is public and browsers fetch it from other origins.
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The request line's length and the whole head's, as sent less the
/// optional whitespace around header values, which hyper does not keep.
fn head_size<B>(req: &Request<B>) -> (usize, usize) {
    let uri = req.uri();
    let target = uri.scheme_str().map_or(0, |s| s.len() + 3)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |p| p.as_str().len());
    // METHOD SP TARGET SP HTTP/1.1 CRLF
    let line = req.method().as_str().len() + 1 + target + 1 + 8 + 2;
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum();
    (line, line + headers + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site {
            cache_control: HeaderValue::from_static("public, max-age=300"),
            discovery: false,
        }
    }

    fn status(req: Request<()>) -> (StatusCode, Option<String>) {
        let response = respond(&site(), &req, || anyhow::bail!("not rendered"));
        let allow = response
            .headers()
            .get(header::ALLOW)
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status(), allow)
    }

    fn request(method: &str, uri: &str) -> Request<()> {
        Request::builder().method(method).uri(uri).body(()).unwrap()
    }

    #[test]
    fn routes_methods_and_limits() {
        assert_eq!(status(request("GET", "/nope")).0, StatusCode::NOT_FOUND);
        assert_eq!(status(request("DELETE", "/nope")).0, StatusCode::NOT_FOUND);
        // Without --issuer, discovery is an unknown path.
        let discovery = status(request("GET", DISCOVERY_PATH)).0;
        assert_eq!(discovery, StatusCode::NOT_FOUND);
        assert_eq!(
            status(request("POST", "/jwks")),
            (StatusCode::METHOD_NOT_ALLOWED, Some("GET, HEAD".into()))
        );
        // A known path and method reaches the documents.
        let get = status(request("GET", "/.well-known/jwks.json")).0;
        assert_eq!(get, StatusCode::INTERNAL_SERVER_ERROR);

        let long = format!("/jwks?{}", "q".repeat(HEAD_LIMIT));
        assert_eq!(status(request("GET", &long)).0, StatusCode::URI_TOO_LONG);
        let mut big = request("GET", "/jwks");
        let value = HeaderValue::from_str(&"a".repeat(HEAD_LIMIT - 10)).unwrap();
        big.headers_mut().insert("x-big", value);
        let (line, head) = head_size(&big);
        assert_eq!(line, "GET /jwks HTTP/1.1\r\n".len());
        assert_eq!(head, line + "x-big: \r\n".len() + HEAD_LIMIT - 10 + 2);
        assert_eq!(status(big).0, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
}
