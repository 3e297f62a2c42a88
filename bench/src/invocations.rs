//! What each function is sent when `coldstart` and `perf` measure it: a representative request,
//! naming records that exist where one is needed (a complete session, a processed donation's
//! DataSet, contact and subscription, a changelog entry, a visit session, the form page's CSRF
//! token), so the measured path is the one a caller takes.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::{
    COMPLETE, Demo, RuntimeApi, event, function_env, session_call, session_hash, spawn_function,
};

/// Every function with the endpoint it serves: one per endpoint, and the scheduler.
pub const FUNCTIONS: [(&str, &str); 25] = [
    ("create-session", "POST /app/createSession"),
    ("update-session", "POST /app/updateSession"),
    ("process-session", "POST /app/processSession"),
    ("get-form-page", "GET /form/{formHash}"),
    ("post-form-page", "POST /form/{formHash}"),
    ("new-visit-session", "PUT /sessions/new"),
    ("get-visit-session", "GET /sessions/{sessionId}"),
    ("post-visit-session", "POST /sessions/{sessionId}"),
    ("list-datasets", "GET /dataSets"),
    ("get-dataset", "GET /dataSet/{guid}"),
    ("post-dataset", "POST /dataSet"),
    ("put-dataset", "PUT /dataSet/{guid}"),
    ("put-form", "PUT /forms/{formHash}"),
    ("get-form", "GET /forms/{formHash}"),
    ("post-actions", "POST /actions"),
    ("get-contact", "GET /contact/{guid}"),
    ("get-changelog", "GET /changelog/{guid}"),
    ("list-changelogs", "GET /changelogs"),
    ("put-sepa-creditor", "PUT /sepa/creditor"),
    ("get-sepa-creditor", "GET /sepa/creditor"),
    ("post-sepa-collections", "POST /sepa/collections"),
    ("get-sepa-collection", "GET /sepa/collections/{id}"),
    ("list-sepa-collections", "GET /sepa/collections"),
    ("post-sepa-returns", "POST /sepa/returns"),
    ("recurring-payments", "EventBridge Scheduler (daily)"),
];

/// The demo merchant's creditor settings, as `make dev` seeds them.
const CREDITOR: &str = r#"{"name":"Demo Nonprofit e.V.","creditorId":"DE98ZZZ09999999999","iban":"DE02120300000000202051","bic":"BYLADEM1001","prenotificationDays":14}"#;

/// The functions that take a complete session of their own.
pub const TAKE_A_SESSION: [&str; 2] = ["update-session", "process-session"];

/// Records the representative requests name, made once through the functions themselves.
pub struct Records {
    /// A processed donation's DataSet, contact and (monthly) subscription.
    pub dataset: String,
    pub contact: String,
    pub subscription: String,
    /// The changelog entry of cancelling that subscription.
    pub change: String,
    pub visit: String,
    /// The hosted form page's CSRF token, for posting the form.
    pub csrf: String,
}

impl Records {
    pub async fn make(release: &Path, demo: &Demo) -> Result<Self> {
        let session = complete_sessions(release, demo, 1).await?.remove(0);
        let form = &demo.form_hash;
        let processed = answer_once(
            release,
            "process-session",
            session_call(
                "processSession",
                &format!("hash={form}&fbSessionHash={session}"),
            ),
        )
        .await?;
        let body = body_of(&processed)?;
        let result = &body["paymentSessionResult"];
        let field = |value: &Value| value.as_str().map(str::to_owned).context("a guid");
        let subscription = field(&result["subscriptionGuidResult"])?;
        let bearer = format!("Bearer {}", demo.api_key);
        let cancelled = answer_once(
            release,
            "post-actions",
            event(
                "POST",
                "/actions",
                Value::Null,
                "",
                &[
                    ("authorization", bearer.as_str()),
                    ("content-type", "application/json"),
                ],
                &cancel(&subscription),
            ),
        )
        .await?;
        let location = cancelled["headers"]["location"]
            .as_str()
            .unwrap_or_default();
        let visit = answer_once(
            release,
            "new-visit-session",
            event(
                "PUT",
                "/sessions/new",
                Value::Null,
                "",
                &[("authorization", bearer.as_str())],
                "",
            ),
        )
        .await?;
        let page = answer_once(
            release,
            "get-form-page",
            event(
                "GET",
                &format!("/form/{form}"),
                json!({"formHash": form}),
                "",
                &[],
                "",
            ),
        )
        .await?;
        let csrf = page["body"]
            .as_str()
            .and_then(|html| html.split("name=\"csrf\" value=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .context("a CSRF token in the form page")?
            .to_owned();
        Ok(Self {
            csrf,
            dataset: field(&body["dataSetGuid"])?,
            contact: field(&result["contactGuidResult"])?,
            change: location
                .rsplit('/')
                .next()
                .filter(|guid| !guid.is_empty())
                .context("POST /actions answered no Location")?
                .to_owned(),
            subscription,
            visit: field(&body_of(&visit)?["sessionId"])?,
        })
    }
}

fn cancel(subscription: &str) -> String {
    format!(r#"{{"action":"Cancel","entityType":"Subscription","entityGuid":"{subscription}"}}"#)
}

/// The API Gateway response `function` gives to `event`, from a process started for it.
async fn answer_once(release: &Path, function: &str, event: String) -> Result<Value> {
    let api = RuntimeApi::start().await?;
    let mut child = spawn_function(&release.join(function), &api, &function_env())?;
    let answer = api.invoke(event).await;
    child.kill().await.ok();
    Ok(answer?.response)
}

fn body_of(response: &Value) -> Result<Value> {
    let body = response["body"].as_str().context("a response body")?;
    serde_json::from_str(body)
        .with_context(|| format!("{} answered {body}", response["statusCode"]))
}

/// `count` complete sessions, made through four create-session processes.
pub async fn complete_sessions(release: &Path, demo: &Demo, count: usize) -> Result<Vec<String>> {
    let api = RuntimeApi::start().await?;
    let mut children = Vec::new();
    for _ in 0..4 {
        children.push(spawn_function(
            &release.join("create-session"),
            &api,
            &function_env(),
        )?);
    }
    let api = std::sync::Arc::new(api);
    let body = format!("hash={}{COMPLETE}", demo.form_hash);
    let made = futures::future::join_all((0..count).map(|_| {
        let (api, body) = (std::sync::Arc::clone(&api), body.clone());
        async move { api.invoke(session_call("createSession", &body)).await }
    }))
    .await;
    for mut child in children {
        child.kill().await.ok();
    }
    made.into_iter()
        .map(|answer| session_hash(&answer?).context("a complete session"))
        .collect()
}

/// A representative request for each function, on the records in `records`; `session` is the
/// complete session of update-session and process-session.
pub fn invocation(name: &str, demo: &Demo, records: &Records, session: &str) -> String {
    let form = demo.form_hash.as_str();
    let bearer = format!("Bearer {}", demo.api_key);
    let auth = [("authorization", bearer.as_str())];
    let json_auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let visit = records.visit.as_str();
    let form_params = json!({"formHash": form});
    match name {
        "create-session" => session_call(
            "createSession",
            &format!("hash={form}&payment[first_name]=Max&payment[amount]=20"),
        ),
        "update-session" => session_call(
            "updateSession",
            &format!("hash={form}&fbSessionHash={session}&payment[last_name]=Muster"),
        ),
        "process-session" => session_call(
            "processSession",
            &format!("hash={form}&fbSessionHash={session}"),
        ),
        "get-form-page" => event("GET", &format!("/form/{form}"), form_params, "", &[], ""),
        "post-form-page" => event(
            "POST",
            &format!("/form/{form}"),
            form_params,
            "",
            &[("content-type", "application/x-www-form-urlencoded")],
            &format!("csrf={}{HOSTED_DONATION}", records.csrf),
        ),
        "new-visit-session" => event("PUT", "/sessions/new", json!(null), "", &auth, ""),
        "get-visit-session" => event(
            "GET",
            &format!("/sessions/{visit}"),
            json!({"sessionId": visit}),
            "",
            &auth,
            "",
        ),
        "post-visit-session" => event(
            "POST",
            &format!("/sessions/{visit}"),
            json!({"sessionId": visit}),
            "",
            &json_auth,
            r#"{"customerId":"bench"}"#,
        ),
        "list-datasets" => event("GET", "/dataSets", json!(null), "pageSize=50", &auth, ""),
        "get-dataset" => event(
            "GET",
            &format!("/dataSet/{}", records.dataset),
            json!({"guid": records.dataset}),
            "",
            &auth,
            "",
        ),
        "post-dataset" => event(
            "POST",
            "/dataSet",
            json!(null),
            "",
            &json_auth,
            r#"{"vendor":"bench","sensitive_data":[],"jsonElement":{"formResult":{"amount":"10"}}}"#,
        ),
        "put-dataset" => event(
            "PUT",
            &format!("/dataSet/{}", records.dataset),
            json!({"guid": records.dataset}),
            "",
            &json_auth,
            r#"{"jsonElement":{"formResult":{"amount":"10"}}}"#,
        ),
        "put-form" => event(
            "PUT",
            &format!("/forms/{form}"),
            form_params,
            "",
            &json_auth,
            DEMO_FORM,
        ),
        "post-actions" => event(
            "POST",
            "/actions",
            json!(null),
            "",
            &json_auth,
            &cancel(&records.subscription),
        ),
        "get-contact" => event(
            "GET",
            &format!("/contact/{}", records.contact),
            json!({"guid": records.contact}),
            "",
            &auth,
            "",
        ),
        "get-changelog" => event(
            "GET",
            &format!("/changelog/{}", records.change),
            json!({"guid": records.change}),
            "",
            &auth,
            "",
        ),
        "list-changelogs" => event("GET", "/changelogs", json!(null), "pageSize=50", &auth, ""),
        "put-sepa-creditor" => event(
            "PUT",
            "/sepa/creditor",
            json!(null),
            "",
            &json_auth,
            CREDITOR,
        ),
        "get-sepa-creditor" => event("GET", "/sepa/creditor", json!(null), "", &auth, ""),
        "post-sepa-collections" => event("POST", "/sepa/collections", json!(null), "", &auth, ""),
        "get-sepa-collection" => event(
            "GET",
            "/sepa/collections/C20261201000000-00000000",
            json!({"id": "C20261201000000-00000000"}),
            "",
            &auth,
            "",
        ),
        "list-sepa-collections" => event("GET", "/sepa/collections", json!(null), "", &auth, ""),
        "post-sepa-returns" => event(
            "POST",
            "/sepa/returns",
            json!(null),
            "",
            &json_auth,
            r#"{"returns":[{"endToEndId":"ffffffffffffffffffffffffffffffff","reasonCode":"MD01","returnDate":"2026-12-30","amount":"1"}]}"#,
        ),
        // EventBridge Scheduler's event, not HTTP.
        "recurring-payments" => r#"{"time":"2026-12-01T04:00:00Z"}"#.to_owned(),
        _ => event("GET", &format!("/forms/{form}"), form_params, "", &auth, ""),
    }
}

/// A complete donation through the hosted form, after its CSRF token.
pub const HOSTED_DONATION: &str = "&salutation=Ms.&first_name=Erika&last_name=Mustermann\
    &email=erika%40example.org&amount_preset=25&interval=1&payment_method=sepa_direct_debit\
    &iban=DE89370400440532013000&wants_receipt=no_receipt&is_privacy_accepted=1&sepa_mandate=1";

/// The demo form, as `make dev` seeds it: `put-form` rewrites it unchanged.
const DEMO_FORM: &str = include_str!("../../admin/demo-form.json");
