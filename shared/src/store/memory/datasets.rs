//! DataSets in memory, with their listing order and their contacts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use super::listing::{Listable, listed_page};
use super::lock;
use crate::dataset::{ContactPage, DataSet, DataSetStore, JsonElement, Page};
use crate::ground::ids::{DataSetGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::listing::{PageLimit, Position, Start, TimeBounds};
use crate::wire;

#[derive(Clone, Default)]
pub struct MemoryDataSets {
    pub(super) items: Arc<Mutex<HashMap<DataSetGuid, DataSet>>>,
}

impl Listable for DataSet {
    fn merchant(&self) -> &MerchantId {
        &self.merchant_id
    }

    fn position(&self) -> Position {
        Position {
            created_at: self.created_at,
            guid: self.guid.uuid(),
        }
    }

    fn listed_bytes(&self) -> u64 {
        wire::datasets::listed_size(self).total()
    }
}

impl DataSetStore for MemoryDataSets {
    async fn insert(&self, dataset: &DataSet) -> Result<(), StoreError> {
        let mut items = lock(&self.items);
        if items.contains_key(&dataset.guid) {
            return Err(StoreError::AlreadyExists);
        }
        items.insert(dataset.guid, dataset.clone());
        Ok(())
    }

    async fn get(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
    ) -> Result<Option<DataSet>, StoreError> {
        Ok(lock(&self.items)
            .get(guid)
            .filter(|ds| &ds.merchant_id == merchant)
            .cloned())
    }

    async fn replace_json_element(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        json_element: &JsonElement,
        updated_at: Timestamp,
    ) -> Result<Option<DataSet>, StoreError> {
        let mut items = lock(&self.items);
        let Some(ds) = items.get_mut(guid).filter(|ds| &ds.merchant_id == merchant) else {
            return Ok(None);
        };
        ds.json_element = json_element.clone();
        ds.updated_at = updated_at;
        Ok(Some(ds.clone()))
    }

    async fn for_contact(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ContactPage, StoreError> {
        let mut linked: Vec<(DataSetGuid, String)> = lock(&self.items)
            .values()
            .filter(|ds| &ds.merchant_id == merchant && ds.contact.as_ref() == Some(contact))
            .map(|ds| {
                (
                    ds.guid,
                    format!("{}#{}", sortable_utc(ds.created_at), ds.guid),
                )
            })
            .filter(|(_, key)| after.is_none_or(|after| key.as_str() > after))
            .collect();
        linked.sort_by(|a, b| a.1.cmp(&b.1));
        let more = linked.len() > limit;
        linked.truncate(limit);
        Ok(ContactPage {
            items: linked,
            more,
        })
    }

    async fn move_to_contact(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        from: &EntityGuid,
        to: &EntityGuid,
    ) -> Result<bool, StoreError> {
        let mut items = lock(&self.items);
        match items
            .get_mut(guid)
            .filter(|ds| &ds.merchant_id == merchant && ds.contact.as_ref() == Some(from))
        {
            Some(ds) => {
                ds.contact = Some(*to);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<Page, StoreError> {
        let (items, more) = listed_page(lock(&self.items).values(), merchant, bounds, start, limit);
        Ok(Page {
            items,
            more,
            read_units: 0.0,
        })
    }
}
