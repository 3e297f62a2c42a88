//! HTTP smoke test through `cargo lambda watch`, on the same paths as API Gateway. `make test`
//! starts the local API and sets SMOKE_API_URL and SMOKE_DEMO_FILE.

use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) struct Local {
    pub(crate) base: String,
    pub(crate) demo: Value,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn local() -> Local {
    let base = std::env::var("SMOKE_API_URL")
        .expect("SMOKE_API_URL is set by `make test`, which also starts the local API");
    let demo_file =
        std::env::var("SMOKE_DEMO_FILE").expect("SMOKE_DEMO_FILE is set by `make test`");
    let demo = serde_json::from_str(&std::fs::read_to_string(demo_file).expect("demo file"))
        .expect("demo JSON");
    Local {
        base,
        demo,
        http: reqwest::Client::new(),
    }
}

impl Local {
    pub(crate) fn key(&self, which: &str) -> String {
        self.demo[which]
            .as_str()
            .expect("key in demo file")
            .to_owned()
    }

    async fn listed_guids(&self, key: &str) -> Vec<Value> {
        let listed: Value = self
            .http
            .get(format!("{}/dataSets?pageSize=500", self.base))
            .bearer_auth(key)
            .send()
            .await
            .expect("GET /dataSets")
            .json()
            .await
            .expect("JSON");
        assert_eq!(listed["pageNumber"], 1);
        let list = listed["list"].as_array().expect("list");
        list.iter().map(|d| d["dataSetGuid"].clone()).collect()
    }
}

#[tokio::test]
async fn the_dataset_api_answers_on_its_real_paths() {
    let local = local();
    let (key, other_key) = (local.key("apiKey"), local.key("otherApiKey"));
    let body = json!({
        "vendor": "smoke-test",
        "sensitive_data": ["email"],
        "jsonElement": {"formResult": {"email": "smoke@example.org", "amount": "25.00"}}
    });

    let created = local
        .http
        .post(format!("{}/dataSet", local.base))
        .bearer_auth(&key)
        .json(&body)
        .send()
        .await
        .expect("POST /dataSet");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    assert_eq!(created["merchantId"], local.demo["merchantId"]);
    let url = format!(
        "{}/dataSet/{}",
        local.base,
        created["dataSetGuid"].as_str().expect("guid")
    );

    let read = local
        .http
        .get(&url)
        .header("x-api-key", &key)
        .send()
        .await
        .expect("GET");
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.json::<Value>().await.expect("JSON"), created);

    let foreign = local
        .http
        .get(&url)
        .bearer_auth(&other_key)
        .send()
        .await
        .expect("GET");
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        foreign.headers()["content-type"].to_str().expect("ascii"),
        "application/problem+json"
    );

    let replaced = local
        .http
        .put(&url)
        .bearer_auth(&key)
        .json(&json!({"jsonElement": {"formResult": {"amount": "30.00"}}}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(replaced.status(), StatusCode::OK);
    assert_eq!(
        replaced.json::<Value>().await.expect("JSON")["jsonElement"]["formResult"]["amount"],
        "30.00"
    );

    let anonymous = local.http.get(&url).send().await.expect("GET");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // Listed for its merchant only.
    assert!(
        local
            .listed_guids(&key)
            .await
            .contains(&created["dataSetGuid"])
    );
    assert!(
        !local
            .listed_guids(&other_key)
            .await
            .contains(&created["dataSetGuid"])
    );

    let bad = local
        .http
        .get(format!("{}/dataSets?startDate=2024-13-45", local.base))
        .bearer_auth(&key)
        .send()
        .await
        .expect("GET /dataSets");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// The three clients of the issue: PHP's `http_build_query` body, a browser `fetch` with JSON
/// (preflight included), and curl with a query string.
#[tokio::test]
async fn the_session_api_answers_php_browsers_and_curl() {
    let local = local();
    let form = local.demo["formHash"]
        .as_str()
        .expect("form hash")
        .to_owned();
    let url = |op: &str| format!("{}/app/{op}", local.base);

    let php = local
        .http
        .post(url("createSession"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "hash={form}&payment%5Bfirst_name%5D=Max&payment%5Blast_name%5D=Mustermann&payment%5Bamount%5D=20"
        ))
        .send()
        .await
        .expect("createSession");
    assert_eq!(php.status(), StatusCode::OK);
    let created: Value = php.json().await.expect("JSON");
    assert_eq!(created["status"], "success");
    assert_eq!(created["session"]["status"], "incomplete");
    assert_eq!(created["session"]["values"]["amount"], "20");
    let session = created["session"]["hash"]
        .as_str()
        .expect("hash")
        .to_owned();

    let preflight = local
        .http
        .request(reqwest::Method::OPTIONS, url("updateSession"))
        .header("origin", "https://www.example.org")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let browser = local
        .http
        .post(url("updateSession"))
        .header("origin", "https://www.example.org")
        .json(
            &json!({"hash": form, "fbSessionHash": session, "lang": "en",
            "payment": {"email": "not-an-email", "payment_method": "sepa_direct_debit"}}),
        )
        .send()
        .await
        .expect("updateSession");
    assert_eq!(browser.headers()["access-control-allow-origin"], "*");
    let updated: Value = browser.json().await.expect("JSON");
    assert_eq!(
        updated["session"]["errors"]["current_fields"]["email"],
        "Please enter a valid email address"
    );
    assert_eq!(
        updated["session"]["values"]["payment_method"],
        "sepa_direct_debit"
    );

    let curl = local
        .http
        .post(format!(
            "{}?hash={form}&fbSessionHash={session}",
            url("updateSession")
        ))
        .send()
        .await
        .expect("read by query string");
    let read: Value = curl.json().await.expect("JSON");
    assert_eq!(read["session"]["values"]["first_name"], "Max");

    let missing = local
        .http
        .post(url("updateSession"))
        .send()
        .await
        .expect("no hash");
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.json::<Value>().await.expect("JSON"),
        json!({"status": "error", "error": "error 105: no hash"})
    );

    let config = local
        .http
        .get(format!("{}/forms/{form}", local.base))
        .bearer_auth(local.key("apiKey"))
        .send()
        .await
        .expect("GET /forms");
    assert_eq!(config.status(), StatusCode::OK);
    assert_eq!(
        config.json::<Value>().await.expect("JSON")["formHash"],
        form.as_str()
    );
}

/// Issue 5's end to end: create → update until complete → process → listed, on real paths.
#[tokio::test]
async fn a_donation_goes_from_session_to_listed_dataset() {
    let local = local();
    let form = local.demo["formHash"]
        .as_str()
        .expect("form hash")
        .to_owned();
    let post = |op: &str, body: String| {
        local
            .http
            .post(format!("{}/app/{op}", local.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let created: Value = post(
        "createSession",
        format!("hash={form}&payment[amount]=30&payment[interval]=1&payment[first_name]=Erika"),
    )
    .await
    .expect("createSession")
    .json()
    .await
    .expect("JSON");
    let session = created["session"]["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    let updated: Value = post(
        "updateSession",
        format!(
            "hash={form}&fbSessionHash={session}&payment[salutation]=Ms.&payment[last_name]=Mustermann\
             &payment[email]=erika@example.org&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
             &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
             &payment[is_privacy_accepted]=1"
        ),
    )
    .await
    .expect("updateSession")
    .json()
    .await
    .expect("JSON");
    assert_eq!(updated["session"]["status"], "complete", "{updated}");
    let processed = post(
        "processSession",
        format!("hash={form}&fbSessionHash={session}"),
    )
    .await
    .expect("processSession");
    assert_eq!(processed.status(), StatusCode::OK);
    let processed: Value = processed.json().await.expect("JSON");
    assert_eq!(processed["session"]["status"], "processed");
    let guid = processed["dataSetGuid"].clone();
    assert!(processed["paymentSessionResult"]["subscriptionGuidResult"].is_string());
    assert!(
        local
            .listed_guids(&local.key("apiKey"))
            .await
            .contains(&guid),
        "the donation's DataSet is listed for the form's merchant"
    );
    assert!(
        !local
            .listed_guids(&local.key("otherApiKey"))
            .await
            .contains(&guid)
    );

    // The donation's entities, and a cancel recorded in the changelog, on their real paths.
    let result = &processed["paymentSessionResult"];
    let contact_url = format!(
        "{}/contact/{}",
        local.base,
        result["contactGuidResult"].as_str().expect("guid")
    );
    let get = |url: String, key: String| local.http.get(url).bearer_auth(key).send();
    let contact = get(contact_url.clone(), local.key("apiKey"))
        .await
        .expect("GET /contact");
    assert_eq!(contact.status(), StatusCode::OK);
    let contact: Value = contact.json().await.expect("JSON");
    assert_eq!(contact["subscriptions"][0]["state"], "active");
    let foreign = get(contact_url.clone(), local.key("otherApiKey"))
        .await
        .expect("GET /contact");
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let cancel = json!({"action": "Cancel", "entityType": "Subscription",
                        "entityGuid": result["subscriptionGuidResult"]});
    let cancelled = local
        .http
        .post(format!("{}/actions", local.base))
        .bearer_auth(local.key("apiKey"))
        .json(&cancel)
        .send()
        .await
        .expect("POST /actions");
    assert_eq!(cancelled.status(), StatusCode::CREATED);
    let location = cancelled.headers()["location"]
        .to_str()
        .expect("Location")
        .to_owned();
    let entry = get(format!("{}{location}", local.base), local.key("apiKey"))
        .await
        .expect("GET");
    assert_eq!(entry.status(), StatusCode::OK);
    let entry: Value = entry.json().await.expect("JSON");
    assert_eq!(entry["after"]["state"], "cancelled");
    let listed: Value = get(
        format!("{}/changelogs?pageSize=500", local.base),
        local.key("apiKey"),
    )
    .await
    .expect("GET /changelogs")
    .json()
    .await
    .expect("JSON");
    assert!(
        listed["list"].as_array().expect("list").contains(&entry),
        "{listed}"
    );
}

#[tokio::test]
async fn the_session_management_api_answers_on_its_real_paths() {
    let local = local();
    let key = local.key("apiKey");
    let created = local
        .http
        .put(format!("{}/sessions/new", local.base))
        .bearer_auth(&key)
        .json(&json!({"customerId": "CRM-1"}))
        .send()
        .await
        .expect("PUT /sessions/new");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    let id = created["sessionId"].as_str().expect("id");
    let url = format!("{}/sessions/{id}", local.base);
    let merged: Value = local
        .http
        .post(&url)
        .bearer_auth(&key)
        .json(&json!({"visitId": "v-1"}))
        .send()
        .await
        .expect("POST /sessions/{id}")
        .json()
        .await
        .expect("JSON");
    assert_eq!(merged["customerId"], "CRM-1");
    assert_eq!(merged["visitId"], "v-1");
    let read = local
        .http
        .get(&url)
        .bearer_auth(&key)
        .send()
        .await
        .expect("GET");
    assert_eq!(read.status(), StatusCode::OK);
    let foreign = local
        .http
        .get(&url)
        .bearer_auth(local.key("otherApiKey"))
        .send()
        .await
        .expect("GET");
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_sepa_collections_list_answers_on_its_real_path() {
    let local = local();
    let listed = local
        .http
        .get(format!("{}/sepa/collections?pageSize=5", local.base))
        .bearer_auth(local.key("apiKey"))
        .send()
        .await
        .expect("GET /sepa/collections");
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Value = listed.json().await.expect("JSON");
    assert_eq!(listed["pageSize"], 5);
    assert!(listed["list"].is_array(), "{listed}");
}
