//! The cross-check: each request the computation says a subject may make is
//! put to the API server's own authorizer as a SubjectAccessReview
//! (authorization.k8s.io/v1), and so is a sample of requests it says a
//! subject may not make. A disagreement is a finding of its own; a caller
//! who may not create SubjectAccessReviews is told so, claim by claim.

use futures::StreamExt;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::Client;
use kube::api::{Api, PostParams};
use serde::Serialize;

use super::model::Subject;
use super::request::Request;

/// How many reviews are in flight at once.
const CONCURRENCY: usize = 8;

/// One claim of the computation: `subject` may (or may not) make `request`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    pub subject: Subject,
    pub request: Request,
    pub can: bool,
}

/// The authorizer's answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum Answer {
    Allowed {
        reason: String,
    },
    Denied {
        reason: String,
    },
    /// The caller may not create SubjectAccessReviews.
    Forbidden {
        message: String,
    },
    /// The review could not be made (the API server's message).
    Failed {
        message: String,
    },
}

impl Answer {
    /// Whether the authorizer answered, and then whether it agrees.
    pub fn agrees(&self, can: bool) -> Option<bool> {
        match self {
            Self::Allowed { .. } => Some(can),
            Self::Denied { .. } => Some(!can),
            _ => None,
        }
    }
}

/// The review of one claim, as the API server receives it.
pub fn review_of(claim: &Claim) -> SubjectAccessReview {
    let who = claim.subject.user_info();
    let r = &claim.request;
    SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: who.user,
            groups: Some(who.groups),
            resource_attributes: Some(ResourceAttributes {
                namespace: r.namespace.clone(),
                verb: Some(r.verb.clone()),
                group: Some(r.group.clone()),
                resource: Some(r.resource.clone()),
                subresource: r.subresource.clone(),
                name: r.name.clone(),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    }
}

async fn ask(api: &Api<SubjectAccessReview>, claim: &Claim) -> Answer {
    match api.create(&PostParams::default(), &review_of(claim)).await {
        Ok(sar) => {
            let status = sar.status.unwrap_or_default();
            let mut reason = status.reason.unwrap_or_default();
            if let Some(e) = status.evaluation_error.filter(|e| !e.is_empty()) {
                reason = format!("{reason} (evaluation error: {e})");
            }
            if status.allowed {
                Answer::Allowed { reason }
            } else {
                Answer::Denied { reason }
            }
        }
        Err(kube::Error::Api(s)) if s.code == 403 => Answer::Forbidden { message: s.message },
        Err(e) => Answer::Failed {
            message: e.to_string(),
        },
    }
}

/// Each claim's answer, in the claims' order.
pub async fn review(client: &Client, claims: &[Claim]) -> Vec<Answer> {
    let api: Api<SubjectAccessReview> = Api::all(client.clone());
    // A caller who may not create reviews is told so once per claim, but
    // the API server is asked once.
    if let Some(first) = claims.first()
        && let forbidden @ Answer::Forbidden { .. } = ask(&api, first).await
    {
        return vec![forbidden; claims.len()];
    }
    futures::stream::iter(claims)
        .map(|c| {
            let api = api.clone();
            async move { ask(&api, c).await }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await
}
