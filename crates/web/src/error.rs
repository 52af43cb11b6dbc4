//! One error type for handlers, answered as an HTML page or as JSON depending on the route.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use h2h_store::StoreError;

use crate::contract::ErrorJson;

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request's parameters are not valid.
    #[error("{0}")]
    BadRequest(String),
    /// Nobody is signed in, and what was asked for needs someone who is.
    #[error("{0}")]
    Unauthenticated(String),
    /// The signed-in account may not do or see this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed attempts to sign in.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A page could not be rendered.
    #[error("the page could not be rendered: {0}")]
    Render(#[from] askama::Error),
    /// A report could not be written.
    #[error("the report could not be written: {0}")]
    Report(String),
}

impl WebError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Store(_) | Self::Render(_) | Self::Report(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person is told: the reason for their own mistakes, a generic line for ours
    /// (the detail goes to the log, not to the page).
    pub(crate) fn public_message(&self) -> String {
        match self {
            Self::NotFound(m)
            | Self::BadRequest(m)
            | Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::TooManyAttempts(m) => m.clone(),
            Self::Store(_) | Self::Render(_) | Self::Report(_) => {
                tracing::error!(error = %self, "request failed");
                String::from("Something went wrong on our side. Try again in a moment.")
            }
        }
    }
}

/// An API error: the same [`WebError`], answered as JSON.
#[derive(Debug)]
pub(crate) struct ApiError(pub(crate) WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorJson {
            error: self.0.public_message(),
        };
        (self.0.status(), Json(body)).into_response()
    }
}
