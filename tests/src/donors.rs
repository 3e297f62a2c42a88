//! A nonprofit's back office and its donors, through the real handlers on DynamoDB Local: a
//! fresh merchant with the demo form, donations made through the Session-API, and the
//! payment-entity routes (`/actions`, `/contact`, `/changelog(s)`) called with its key.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{Value, json};

use crate::events::Event;
use crate::gateway::{self, EntityApi};
use crate::{
    TestDynamo, built, dataset_api_state, dynamodb_client, entity_api_state_in,
    list_datasets_state, merchant_with_form, wiring_in,
};
use shared::app::{
    CollectionListingState, CollectionsState, ProcessState, ReturnsState, SendingState,
    SessionApiState, VisitsState, Wiring,
};
use shared::ground::ids::FormHash;

/// What the donors of these tests are called, and where their money comes from: none of it
/// may be in any answer once they are anonymised.
pub const FIRST_NAME: &str = "Erika";
pub const LAST_NAME: &str = "Mustermann";
pub const EMAIL: &str = "erika.mustermann@example.org";
pub const IBAN: &str = "DE89370400440532013000";

pub struct Nonprofit {
    pub merchant: shared::ground::ids::MerchantId,
    pub key: String,
    pub form: FormHash,
    /// What its states are built from: a test builds a state of its own from it.
    pub wiring: Wiring<TestDynamo>,
    pub api: EntityApi,
    sessions: SessionApiState<TestDynamo>,
    processing: ProcessState<TestDynamo>,
    visits: VisitsState<TestDynamo>,
    pub collections: CollectionsState<TestDynamo>,
    pub collection_list: CollectionListingState<TestDynamo>,
    pub sending: SendingState<TestDynamo>,
    returns: ReturnsState<TestDynamo>,
}

pub async fn json_of(response: Response<Body>) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.body();
    let value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body.as_ref()).expect("a JSON answer")
    };
    (status, value)
}

/// How a donor pays.
#[derive(Clone, Copy)]
pub enum Pays {
    Sepa,
    Card,
}

impl Nonprofit {
    pub async fn new() -> Self {
        Self::in_entities_table(crate::ENTITIES_TABLE).await
    }

    /// A nonprofit whose entities live in `table` alone (see `own_entities_table`).
    pub async fn in_entities_table(table: &str) -> Self {
        Self::on(dynamodb_client(), table).await
    }

    /// A nonprofit whose states reach DynamoDB Local through `client` (a metered one, say).
    pub async fn on(client: aws_sdk_dynamodb::Client, table: &str) -> Self {
        let wiring = wiring_in(client.clone(), table);
        let sessions: SessionApiState<TestDynamo> = built(&wiring);
        let (merchant, key, form) =
            merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
        Self {
            merchant,
            key,
            form,
            api: entity_api_state_in(client, table),
            sessions,
            processing: built(&wiring),
            visits: built(&wiring),
            collections: built(&wiring),
            collection_list: built(&wiring),
            sending: built(&wiring),
            returns: built(&wiring),
            wiring,
        }
    }

    /// A Session-API call (`createSession`, `updateSession`) on its form, which must answer 200.
    pub async fn session(&self, operation: &str, body: &str) -> Value {
        let event =
            Event::session_form(operation, &format!("hash={}&{body}", self.form)).bearer(&self.key);
        let (status, answer) =
            json_of(gateway::session_api(event.request(), &self.sessions).await).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// A donation of `amount` every `interval` months (0: once), made and processed as the
    /// donation form does: its `paymentSessionResult`.
    pub async fn donate(&self, amount: &str, interval: u8, pays: Pays) -> Value {
        self.donate_during(amount, interval, pays, None).await
    }

    /// A donation made during visit session `visit`, linked to it as the form links it.
    pub async fn donate_during(
        &self,
        amount: &str,
        interval: u8,
        pays: Pays,
        visit: Option<&str>,
    ) -> Value {
        let link = visit
            .map(|id| format!("&visitSessionId={id}"))
            .unwrap_or_default();
        let created = self
            .session(
                "createSession",
                &format!("payment[amount]={amount}&payment[interval]={interval}{link}"),
            )
            .await;
        let hash = created["session"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned();
        let method = match pays {
            Pays::Sepa => format!(
                "payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12&payment[iban]={IBAN}"
            ),
            Pays::Card => "payment[payment_method]=credit_card".to_owned(),
        };
        let updated = self
            .session(
                "updateSession",
                &format!(
                    "fbSessionHash={hash}&payment[salutation]=Ms.\
                     &payment[first_name]={FIRST_NAME}&payment[last_name]={LAST_NAME}\
                     &payment[email]={EMAIL}&{method}&payment[wants_receipt]=no_receipt\
                     &payment[is_privacy_accepted]=1"
                ),
            )
            .await;
        assert_eq!(updated["session"]["status"], "complete", "{updated}");
        let (status, processed) = self.process(&hash).await;
        assert_eq!(status, StatusCode::OK, "{processed}");
        let mut result = processed["paymentSessionResult"].clone();
        result["dataSetGuid"] = processed["dataSetGuid"].clone();
        result
    }

    /// `processSession` of session `hash`.
    pub async fn process(&self, hash: &str) -> (StatusCode, Value) {
        let event = Event::session_form(
            "processSession",
            &format!("hash={}&fbSessionHash={hash}", self.form),
        );
        json_of(process_session::handle(event.request(), &self.processing).await).await
    }

    /// A new visit session (`PUT /sessions/new`): its id.
    pub async fn new_visit(&self) -> String {
        let event = Event::http("PUT", "/sessions/new")
            .header("content-type", "application/json")
            .body(r#"{"customerId":"crm-4711"}"#)
            .bearer(&self.key);
        let (status, visit) = json_of(gateway::visits(event.request(), &self.visits).await).await;
        assert_eq!(status, StatusCode::CREATED, "{visit}");
        text(&visit["sessionId"])
    }

    /// `GET /sessions/{sessionId}`.
    pub async fn visit(&self, id: &str) -> (StatusCode, Value) {
        let event = Event::session_path("GET", id).bearer(&self.key);
        json_of(gateway::visits(event.request(), &self.visits).await).await
    }

    /// `POST /actions` with this nonprofit's key.
    pub async fn act(&self, body: &Value) -> (StatusCode, Value) {
        self.act_with(body, &[]).await
    }

    pub async fn act_with(&self, body: &Value, headers: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut event = Event::http("POST", "/actions")
            .header("content-type", "application/json")
            .bearer(&self.key)
            .body(&body.to_string());
        for (name, value) in headers {
            event = event.header(name, value);
        }
        json_of(gateway::entities(event.request(), &self.api).await).await
    }

    /// `GET /contact/{guid}`.
    pub async fn contact(&self, guid: &str) -> (StatusCode, Value) {
        let event = Event::http("GET", &format!("/contact/{guid}"))
            .path_param("guid", guid)
            .bearer(&self.key);
        json_of(gateway::entities(event.request(), &self.api).await).await
    }

    /// `GET /contact/{guid}`, which must be there.
    pub async fn contact_ok(&self, guid: &str) -> Value {
        let (status, contact) = self.contact(guid).await;
        assert_eq!(status, StatusCode::OK, "{contact}");
        contact
    }

    /// `GET /changelog/{guid}`.
    pub async fn changelog(&self, guid: &str) -> (StatusCode, Value) {
        let event = Event::http("GET", &format!("/changelog/{guid}"))
            .path_param("guid", guid)
            .bearer(&self.key);
        json_of(gateway::entities(event.request(), &self.api).await).await
    }

    /// Every changelog entry, through `GET /changelogs` page by page (`nextToken`).
    pub async fn changelogs(&self) -> Vec<Value> {
        let mut entries = Vec::new();
        let mut query = "pageSize=50".to_owned();
        loop {
            let event = Event::http("GET", "/changelogs")
                .raw_query(&query)
                .bearer(&self.key);
            let (status, page) = json_of(gateway::entities(event.request(), &self.api).await).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            entries.extend(page["list"].as_array().expect("list").iter().cloned());
            match page["nextToken"].as_str() {
                Some(token) => query = format!("nextToken={token}"),
                None => return entries,
            }
        }
    }

    /// `POST /sepa/collections` with `body` (none: every announced debit).
    pub async fn collect(&self, body: Option<&Value>) -> (StatusCode, Value) {
        let mut event = Event::http("POST", "/sepa/collections").bearer(&self.key);
        if let Some(body) = body {
            event = event
                .header("content-type", "application/json")
                .body(&body.to_string());
        }
        json_of(gateway::collections(event.request(), &self.collections).await).await
    }

    /// `POST /sepa/collections/{id}/submitted` (`sent`) or `…/voided`.
    pub async fn settle(&self, id: &str, way: &str) -> (StatusCode, Value) {
        let event = Event::http("POST", &format!("/sepa/collections/{id}/{way}"))
            .path_param("id", id)
            .bearer(&self.key);
        let response = match way {
            "submitted" => {
                post_sepa_collection_submitted::handle(event.request(), &self.sending).await
            }
            _ => post_sepa_collection_voided::handle(event.request(), &self.sending).await,
        };
        json_of(response).await
    }

    /// A collection made and its file sent to the bank, as a merchant does: `POST
    /// /sepa/collections`, then `…/submitted`; the collection as the second answers it.
    pub async fn collect_and_send(&self, body: Option<&Value>) -> (StatusCode, Value) {
        let (status, collection) = self.collect(body).await;
        if status != StatusCode::CREATED {
            return (status, collection);
        }
        let id = collection["collectionId"]
            .as_str()
            .expect("a collection id");
        let (sent, answer) = self.settle(id, "submitted").await;
        assert_eq!(sent, StatusCode::OK, "{answer}");
        (status, answer)
    }

    /// `GET /sepa/collections/{id}`: status, content type and body.
    pub async fn collection_file(&self, id: &str) -> (StatusCode, String, String) {
        let event = Event::http("GET", &format!("/sepa/collections/{id}"))
            .path_param("id", id)
            .bearer(&self.key);
        let response = gateway::collections(event.request(), &self.collections).await;
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = String::from_utf8(response.body().to_vec()).expect("UTF-8");
        (response.status(), kind, body)
    }

    /// `POST /sepa/returns` with `returns`.
    pub async fn book_returns(&self, returns: &Value) -> (StatusCode, Value) {
        let event = Event::http("POST", "/sepa/returns")
            .header("content-type", "application/json")
            .bearer(&self.key)
            .body(&json!({ "returns": returns }).to_string());
        json_of(post_sepa_returns::handle(event.request(), &self.returns).await).await
    }

    /// `POST /sepa/returns` with a bank report as `content_type`.
    pub async fn upload_report(&self, content_type: &str, xml: &str) -> (StatusCode, Value) {
        let event = Event::http("POST", "/sepa/returns")
            .header("content-type", content_type)
            .bearer(&self.key)
            .body(xml);
        json_of(post_sepa_returns::handle(event.request(), &self.returns).await).await
    }

    /// `GET /dataSet/{guid}`.
    pub async fn dataset(&self, guid: &str) -> (StatusCode, Value) {
        let event = Event::get_dataset(guid).bearer(&self.key);
        json_of(gateway::records(event.request(), &dataset_api_state()).await).await
    }

    /// Every DataSet, through `GET /dataSets` page by page.
    pub async fn datasets(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut query = vec![("pageSize".to_owned(), "200".to_owned())];
        loop {
            let pairs: Vec<(&str, &str)> = query
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let event = Event::list_datasets(&pairs).bearer(&self.key);
            let (status, page) =
                json_of(list_datasets::handle(event.request(), &list_datasets_state()).await).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            all.extend(page["list"].as_array().expect("list").iter().cloned());
            match page["nextToken"].as_str() {
                Some(token) => query = vec![("nextToken".to_owned(), token.to_owned())],
                None => return all,
            }
        }
    }
}

/// An action body.
pub fn action(action: &str, entity_type: &str, guid: &str) -> Value {
    json!({"action": action, "entityType": entity_type, "entityGuid": guid})
}

/// `body` with `fields` added.
pub fn with(mut body: Value, fields: Value) -> Value {
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    body
}

pub fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}
