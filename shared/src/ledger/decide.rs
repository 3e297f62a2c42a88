//! Which rule an action goes to.

use super::actions::{ActionEntity, ActionKind, ActionRequest};
use super::context::ActionContext;
use super::donor::Donor;
use super::model::ContactState;
use super::ports::Change;
use super::renewal::renewal;
use super::rules::{
    Refusal, add_on, conflict, invalid, payment, refund, state_name, subscription, transition,
    upgrade,
};
use super::sign_up::sign_up;

/// The change an action makes to `donor`, whose partition holds the entity it names. Erasure,
/// archiving and merging are decided in `contacts`.
pub fn decide(
    request: &ActionRequest,
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    if donor.contact.state != ContactState::Active {
        return Err(conflict(format!(
            "the contact is {}: its entities change no more",
            state_name(donor.contact.state)
        )));
    }
    let guid = request.entity_guid;
    match (request.kind, request.entity) {
        (ActionKind::Upgrade, ActionEntity::Subscription) => {
            upgrade(request, donor, subscription(donor, guid)?, ctx)
        }
        (
            ActionKind::Cancel | ActionKind::Hold | ActionKind::Restart,
            ActionEntity::Subscription,
        ) => transition(request, donor, subscription(donor, guid)?, ctx),
        (ActionKind::Refund, ActionEntity::Payment) => refund(request, payment(donor, guid)?, ctx),
        (ActionKind::Upgrade, ActionEntity::AddOn) => {
            add_on(request, donor, subscription(donor, guid)?, ctx)
        }
        (ActionKind::Renewal, ActionEntity::PaymentMethod) => renewal(request, donor, ctx),
        (ActionKind::SignUp, _) => sign_up(request, donor, ctx),
        _ => Err(invalid(format!(
            "{} of a {} is not an entity action",
            request.kind.as_str(),
            request.entity.as_str()
        ))),
    }
}
