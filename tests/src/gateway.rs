//! API Gateway's routing, in process: a test calls an API family as a client would, and each
//! request reaches the function that the template (and `cargo lambda watch`) route its method
//! and path to; other methods go to the path's first function, as the `ANY` routes do.

use crate::TestDynamo;
use lambda_http::{Body, Request, RequestExt, Response};

use shared::app::{
    ActionsState, ChangelogListingState, ChangelogState, CollectionListingState, CollectionsState,
    ContactsState, CreditorState, FormPageState, FormPostState, FormsState, PostRecordState,
    RecordsState, SessionApiState, VisitsState,
};

fn has_param(req: &Request, name: &str) -> bool {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .is_some()
}

/// The DataSet record functions' states: reading and replacing, and posting.
pub struct Records {
    pub read: RecordsState<TestDynamo>,
    pub post: PostRecordState<TestDynamo>,
}

/// Tests reach the shared parts (the stores, the key store) as on one state.
impl std::ops::Deref for Records {
    type Target = RecordsState<TestDynamo>;
    fn deref(&self) -> &Self::Target {
        &self.read
    }
}

/// `/dataSet` and `/dataSet/{guid}`.
pub async fn records(req: Request, state: &Records) -> Response<Body> {
    let state_read = &state.read;
    match (req.method().as_str(), has_param(&req, "guid")) {
        (_, false) => post_dataset::handle(req, &state.post).await,
        ("PUT", true) => put_dataset::handle(req, state_read).await,
        (_, true) => get_dataset::handle(req, state_read).await,
    }
}

/// `/app/createSession` and `/app/updateSession`.
pub async fn session_api(req: Request, state: &SessionApiState<TestDynamo>) -> Response<Body> {
    if req.uri().path().ends_with("/app/updateSession") {
        update_session::handle(req, state).await
    } else {
        create_session::handle(req, state).await
    }
}

/// `/forms/{formHash}`.
pub async fn forms(req: Request, state: &FormsState<TestDynamo>) -> Response<Body> {
    match req.method().as_str() {
        "PUT" => put_form::handle(req, state).await,
        _ => get_form::handle(req, state).await,
    }
}

/// `/sessions/new` and `/sessions/{sessionId}`.
pub async fn visits(req: Request, state: &VisitsState<TestDynamo>) -> Response<Body> {
    match (req.method().as_str(), has_param(&req, "sessionId")) {
        (_, false) => new_visit_session::handle(req, state).await,
        ("POST", true) => post_visit_session::handle(req, state).await,
        (_, true) => get_visit_session::handle(req, state).await,
    }
}

/// The hosted form's two functions, each with its own state.
pub struct HostedForm {
    pub page: FormPageState<TestDynamo>,
    pub post: FormPostState<TestDynamo>,
}

/// `/form/{formHash}`.
pub async fn hosted_form(req: Request, state: &HostedForm) -> Response<Body> {
    match req.method().as_str() {
        "POST" => post_form_page::handle(req, &state.post).await,
        _ => get_form_page::handle(req, &state.page).await,
    }
}

/// The payment-entity functions' states.
pub struct EntityApi {
    pub actions: ActionsState<TestDynamo>,
    pub contacts: ContactsState<TestDynamo>,
    pub changelog: ChangelogState<TestDynamo>,
    pub changelogs: ChangelogListingState<TestDynamo>,
}

/// `/actions`, `/contact/{guid}`, `/changelog/{guid}` and `/changelogs`.
pub async fn entities(req: Request, state: &EntityApi) -> Response<Body> {
    let path = req.uri().path().to_owned();
    if path.ends_with("/actions") {
        post_actions::handle(req, &state.actions).await
    } else if path.contains("/contact/") {
        get_contact::handle(req, &state.contacts).await
    } else if path.contains("/changelog/") {
        get_changelog::handle(req, &state.changelog).await
    } else {
        list_changelogs::handle(req, &state.changelogs).await
    }
}

/// `/sepa/creditor`.
pub async fn creditor(req: Request, state: &CreditorState<TestDynamo>) -> Response<Body> {
    match req.method().as_str() {
        "PUT" => put_sepa_creditor::handle(req, state).await,
        _ => get_sepa_creditor::handle(req, state).await,
    }
}

/// `POST /sepa/collections` and `GET /sepa/collections/{id}`.
pub async fn collections(req: Request, state: &CollectionsState<TestDynamo>) -> Response<Body> {
    if has_param(&req, "id") {
        get_sepa_collection::handle(req, state).await
    } else {
        post_sepa_collections::handle(req, state).await
    }
}

/// `GET /sepa/collections`.
pub async fn collection_list(
    req: Request,
    state: &CollectionListingState<TestDynamo>,
) -> Response<Body> {
    list_sepa_collections::handle(req, state).await
}
