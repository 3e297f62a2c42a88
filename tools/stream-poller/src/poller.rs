//! The poller: a table's stream followed shard by shard (a shard's records in order, its
//! children after it), the records the filter lets through handed on in batches of the
//! mapping's size, one batch at a time, as Lambda hands them. A batch the function fails is
//! retried (halved first, when the mapping bisects) until its retries are spent; then its
//! shard and sequence numbers, no record data, go to the failure destination: kept for the
//! caller and logged, as Lambda's goes to a dead-letter queue.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{Position, StreamsApi, StreamsError, sequence_number};
use crate::mapping::Mapping;

pub type FunctionError = Box<dyn std::error::Error + Send + Sync>;

/// Whatever a batch is handed to: the function's handler in-process, or its invoke API.
pub trait Function: Send + Sync + 'static {
    /// # Errors
    /// When the function failed the batch: it is retried.
    fn invoke(&self, event: Value) -> impl Future<Output = Result<(), FunctionError>> + Send;
}

impl<F, Fut> Function for F
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), FunctionError>> + Send,
{
    fn invoke(&self, event: Value) -> impl Future<Output = Result<(), FunctionError>> + Send {
        self(event)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PollerError {
    #[error(
        "table {0} has no enabled stream (a StreamSpecification in infra/template.yaml, and the \
         table created from it: `admin tables create`)"
    )]
    NoStream(String),
    #[error(transparent)]
    Streams(#[from] StreamsError),
}

/// How often new shards are looked for.
const SHARD_REFRESH: Duration = Duration::from_secs(5);

/// A mapping's poller, before it runs.
pub struct Poller<F> {
    api: StreamsApi,
    mapping: Mapping,
    function: F,
    /// The pause after a round that found no records (Lambda polls four times a second).
    pub idle: Duration,
    /// The pause before a failed batch is retried.
    pub backoff: Duration,
}

/// A poller running in the background.
pub struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    failures: Arc<Mutex<Vec<Value>>>,
}

impl Running {
    /// What went to the failure destination so far.
    pub fn failures(&self) -> Vec<Value> {
        self.failures.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Stops after the batch being handed on, if any.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct ShardState {
    id: String,
    parent: Option<String>,
    /// Where it was first read from, and the last record read since: where reading starts
    /// again when an iterator is refused.
    position: Position,
    last: Option<String>,
    iterator: Option<String>,
    /// Reads in a row refused as trimmed: after the second, reading goes on from the latest.
    trimmed: u8,
}

struct Loop<F> {
    poller: Poller<F>,
    arn: String,
    shards: Vec<ShardState>,
    /// Every shard ever seen, so a shard read to its end is not read again.
    seen: Vec<String>,
    failures: Arc<Mutex<Vec<Value>>>,
    stop: watch::Receiver<bool>,
}

impl<F: Function> Poller<F> {
    pub fn new(api: StreamsApi, mapping: Mapping, function: F) -> Self {
        Self {
            api,
            mapping,
            function,
            idle: Duration::from_millis(250),
            backoff: Duration::from_millis(500),
        }
    }

    /// Finds the table's stream and positions every shard as the mapping says (so nothing
    /// written after this returns is missed), then polls in the background.
    ///
    /// # Errors
    /// When the table has no enabled stream or the Streams API fails.
    pub async fn start(self) -> Result<Running, PollerError> {
        let arn = self.stream_arn().await?;
        let (stop, stopped) = watch::channel(false);
        let failures = Arc::new(Mutex::new(Vec::new()));
        let mut polling = Loop {
            poller: self,
            arn,
            shards: Vec::new(),
            seen: Vec::new(),
            failures: failures.clone(),
            stop: stopped,
        };
        let first = polling.poller.mapping.starting_position;
        polling.discover(first).await?;
        let task = tokio::spawn(polling.run());
        Ok(Running {
            stop,
            task,
            failures,
        })
    }

    async fn stream_arn(&self) -> Result<String, PollerError> {
        let table = &self.mapping.table;
        for arn in self.api.streams(table).await?.iter().rev() {
            if self.api.describe(arn, None).await?["StreamStatus"] == "ENABLED" {
                return Ok(arn.clone());
            }
        }
        Err(PollerError::NoStream(table.clone()))
    }
}

impl<F: Function> Loop<F> {
    async fn run(mut self) {
        let mut refreshed = Instant::now();
        while !*self.stop.borrow() {
            if refreshed.elapsed() >= SHARD_REFRESH {
                refreshed = Instant::now();
                // Shards that appear later are read from their first record.
                if let Err(err) = self.discover(Position::TrimHorizon).await {
                    tracing::warn!(error = %err, "looking for new shards failed");
                }
            }
            let mut read_any = false;
            for i in 0..self.shards.len() {
                if *self.stop.borrow() {
                    return;
                }
                read_any |= self.read(i).await;
            }
            self.shards.retain(|s| s.iterator.is_some());
            if !read_any {
                tokio::select! {
                    () = tokio::time::sleep(self.poller.idle) => {}
                    _ = self.stop.changed() => {}
                }
            }
        }
    }

    /// Adds the shards not seen before, each positioned at `position`.
    async fn discover(&mut self, position: Position) -> Result<(), PollerError> {
        let mut after: Option<String> = None;
        loop {
            let description = self
                .poller
                .api
                .describe(&self.arn, after.as_deref())
                .await?;
            for shard in description["Shards"].as_array().into_iter().flatten() {
                self.add(shard, position).await?;
            }
            match description["LastEvaluatedShardId"].as_str() {
                Some(last) => after = Some(last.to_owned()),
                None => return Ok(()),
            }
        }
    }

    async fn add(&mut self, shard: &Value, position: Position) -> Result<(), PollerError> {
        let Some(id) = shard["ShardId"].as_str() else {
            return Ok(());
        };
        if self.seen.iter().any(|s| s == id) {
            return Ok(());
        }
        let iterator = self
            .poller
            .api
            .iterator(&self.arn, id, position, None)
            .await?;
        self.seen.push(id.to_owned());
        if iterator.is_some() {
            self.shards.push(ShardState {
                id: id.to_owned(),
                parent: shard["ParentShardId"].as_str().map(str::to_owned),
                position,
                last: None,
                iterator,
                trimmed: 0,
            });
        }
        Ok(())
    }

    /// Reads shard `i` once (not before its parent is read to its end) and hands on what the
    /// filter lets through; whether it had records.
    async fn read(&mut self, i: usize) -> bool {
        let shard = &self.shards[i];
        let parent_open = shard
            .parent
            .as_ref()
            .is_some_and(|p| self.shards.iter().any(|s| &s.id == p));
        let Some(iterator) = shard.iterator.clone().filter(|_| !parent_open) else {
            return false;
        };
        let (records, next) = match self.poller.api.records(&self.arn, &iterator).await {
            Ok(read) => read,
            Err(err) if !err.expired() && !err.trimmed() => {
                tracing::warn!(error = %err, "GetRecords failed; trying again");
                return false;
            }
            Err(err) => {
                let (id, mut position, mut last) =
                    (shard.id.clone(), shard.position, shard.last.clone());
                let trimmed = self.shards[i].trimmed;
                if err.trimmed() {
                    self.shards[i].trimmed = trimmed.saturating_add(1);
                }
                if err.trimmed() && trimmed >= 2 {
                    // The oldest record left is refused too (DynamoDB Local, under load,
                    // answers so): on from the newest, losing what the trim took.
                    tracing::warn!(error = %err, "records trimmed unread; reading on from the latest");
                    (position, last) = (Position::Latest, None);
                } else if err.trimmed() && (last.is_none() || trimmed == 1) {
                    // What it was to read is gone: on from the oldest record left, as Lambda's
                    // mapping goes on after records expired unread.
                    tracing::warn!(error = %err, "reading on from the oldest record left");
                    (position, last) = (Position::TrimHorizon, None);
                } else if err.trimmed() {
                    tracing::warn!(error = %err, "reading on after the last record read");
                } else {
                    tracing::warn!(error = %err, "reading on after the last record");
                }
                match self
                    .poller
                    .api
                    .iterator(&self.arn, &id, position, last.as_deref())
                    .await
                {
                    Ok(fresh) => self.shards[i].iterator = fresh,
                    Err(err) => tracing::warn!(error = %err, "a new shard iterator was refused"),
                }
                return false;
            }
        };
        let shard = &mut self.shards[i];
        shard.iterator = next;
        shard.trimmed = 0;
        if let Some(last) = records.last().and_then(sequence_number) {
            shard.last = Some(last.to_owned());
        }
        let id = shard.id.clone();
        let passed: Vec<Value> = records
            .iter()
            .filter(|r| self.poller.mapping.filter.passes(r))
            .cloned()
            .collect();
        for batch in passed.chunks(self.poller.mapping.batch_size) {
            self.deliver(&id, batch).await;
        }
        !records.is_empty()
    }

    /// Hands a batch on until the function takes it or its retries are spent.
    async fn deliver(&self, shard: &str, batch: &[Value]) {
        let mapping = &self.poller.mapping;
        let mut queue = VecDeque::from([(batch.to_vec(), 0u32)]);
        while let Some((records, retries)) = queue.pop_front() {
            let event = json!({ "Records": records });
            let Err(err) = self.poller.function.invoke(event).await else {
                continue;
            };
            if retries >= mapping.maximum_retry_attempts {
                self.fail(shard, &records, retries + 1);
                continue;
            }
            tracing::warn!(error = %err, records = records.len(), retries, "the function failed a batch; retrying");
            tokio::time::sleep(self.poller.backoff).await;
            if mapping.bisect_on_error && records.len() > 1 {
                let (first, second) = records.split_at(records.len() / 2);
                queue.push_front((second.to_vec(), retries + 1));
                queue.push_front((first.to_vec(), retries + 1));
            } else {
                queue.push_front((records, retries + 1));
            }
        }
    }

    /// What Lambda sends a stream mapping's failure destination: where the batch was, never
    /// what it held.
    fn fail(&self, shard: &str, records: &[Value], invocations: u32) {
        let failure = json!({
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
                "functionArn": self.poller.mapping.function,
            },
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": records.first().and_then(sequence_number),
                "endSequenceNumber": records.last().and_then(sequence_number),
                "batchSize": records.len(),
                "streamArn": self.arn,
            },
        });
        tracing::error!(failure = %failure, "a batch went to the failure destination");
        if let Ok(mut failures) = self.failures.lock() {
            failures.push(failure);
        }
    }
}
