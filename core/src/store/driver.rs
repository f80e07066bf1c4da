//! The I/O loop that connects the protocol machine to a store: one thread per client
//! with a single-threaded tokio runtime. Callers talk to it through [`Request`]s; the
//! machine's commands run as tasks on the store and their answers come back in.

use std::collections::HashMap;
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{
    Access, Address, CoordinatorError, Dir, NodeKind, Session, Store, StoreError, StoreEvent,
};
use crate::protocol::{
    Command, Created, Event, Machine, Node, OpId, Publication, Record, Target, Updated, WaitId,
    WaitOutcome,
};

/// A direct store operation (status, role statuses, coordinator init/remove).
#[derive(Debug)]
pub(crate) enum Call {
    Fetch(String),
    List(String),
    Create(String, Vec<u8>, NodeKind),
    Put(String, Vec<u8>, NodeKind),
    Delete(String),
    Prepare(Vec<(String, Dir)>),
    ActAs(Vec<String>),
    Operations,
}

/// The answer to a [`Call`] (some callers only need to know it succeeded).
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) enum Answer {
    Node(Option<Node>),
    Children(Vec<String>),
    Created(Created),
    Version(u64),
    Done,
    Count(u64),
}

/// What callers ask the driver.
pub(crate) enum Request {
    Wait {
        id: WaitId,
        target: Target,
        timeout: Duration,
        reply: std_mpsc::Sender<WaitOutcome>,
    },
    Cancel(WaitId),
    Publish {
        id: OpId,
        path: String,
        record: Record,
        if_absent: bool,
        reply: std_mpsc::Sender<Result<Publication, StoreError>>,
    },
    Call(Call, std_mpsc::Sender<Result<Answer, StoreError>>),
}

/// A store's answer to a machine command.
enum Done {
    Read(String, Result<Option<Node>, StoreError>),
    List(String, Result<Vec<String>, StoreError>),
    Created(OpId, Result<Created, StoreError>),
    Fetched(OpId, Result<Option<Node>, StoreError>),
    Updated(OpId, Result<Updated, StoreError>),
}

/// Starts a driver thread for store `S`; returns once the session is open.
pub(crate) fn spawn<S: Store>(
    address: Address,
    session: Session,
) -> Result<(mpsc::UnboundedSender<Request>, std::thread::JoinHandle<()>), CoordinatorError> {
    let (req_tx, req_rx) = mpsc::unbounded_channel();
    let (ready_tx, ready_rx) = std_mpsc::channel();
    let name =
        format!("heat-sync-{}", session.server.as_ref().map_or("admin".into(), |s| s.to_string()));
    let thread = std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(CoordinatorError::Connect {
                        address: address.to_string(),
                        message: format!("cannot start the I/O runtime: {e}"),
                    }));
                    return;
                }
            };
            rt.block_on(async move {
                let (ev_tx, ev_rx) = mpsc::unbounded_channel();
                match S::open(&address, &session, ev_tx).await {
                    Ok(store) => {
                        let _ = ready_tx.send(Ok(()));
                        run(Arc::new(store), req_rx, ev_rx).await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })
        .map_err(|e| CoordinatorError::Connect {
            address: String::new(),
            message: e.to_string(),
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok((req_tx, thread)),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => Err(CoordinatorError::Connect {
            address: String::new(),
            message: "the I/O thread ended before connecting".into(),
        }),
    }
}

async fn call<S: Store>(store: &S, call: Call) -> Result<Answer, StoreError> {
    Ok(match call {
        Call::Fetch(p) => Answer::Node(store.fetch(&p).await?),
        Call::List(p) => Answer::Children(store.list(&p, false).await?),
        Call::Create(p, d, k) => Answer::Created(store.create(&p, &d, k).await?),
        Call::Put(p, d, k) => Answer::Version(super::put(store, &p, &d, k).await?),
        Call::Delete(p) => {
            store.delete_tree(&p).await?;
            Answer::Done
        }
        Call::Prepare(dirs) => {
            store.prepare(&dirs).await?;
            Answer::Done
        }
        Call::ActAs(resources) => {
            store.act_as(&resources).await?;
            Answer::Done
        }
        Call::Operations => Answer::Count(store.operations()),
    })
}

fn execute<S: Store>(store: &Arc<S>, command: Command, done: &mpsc::UnboundedSender<Done>) {
    let store = Arc::clone(store);
    let done = done.clone();
    tokio::spawn(async move {
        let d = match command {
            Command::Read { path } => {
                let r = store.read(&path).await;
                Done::Read(path, r)
            }
            Command::List { path } => {
                let r = store.list(&path, true).await;
                Done::List(path, r)
            }
            Command::Create { op, path, data } => Done::Created(
                op,
                store.create(&path, &data, NodeKind::Persistent(Access::Server)).await,
            ),
            Command::Fetch { op, path } => Done::Fetched(op, store.fetch(&path).await),
            Command::Update { op, path, data, expected } => {
                Done::Updated(op, store.update(&path, &data, expected).await)
            }
        };
        let _ = done.send(d);
    });
}

async fn run<S: Store>(
    store: Arc<S>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    mut events: mpsc::UnboundedReceiver<StoreEvent>,
) {
    let mut machine = Machine::new();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let mut wait_replies: HashMap<WaitId, std_mpsc::Sender<WaitOutcome>> = HashMap::new();
    let mut publish_replies: HashMap<OpId, std_mpsc::Sender<Result<Publication, StoreError>>> =
        HashMap::new();
    loop {
        while let Some(command) = machine.poll_command() {
            execute(&store, command, &done_tx);
        }
        while let Some(event) = machine.poll_event() {
            match event {
                Event::WaitDone { id, outcome } => {
                    if let Some(reply) = wait_replies.remove(&id) {
                        let _ = reply.send(outcome);
                    }
                }
                Event::Published { id, result } => {
                    if let Some(reply) = publish_replies.remove(&id) {
                        let _ = reply.send(result);
                    }
                }
            }
        }
        let deadline = machine.poll_timeout();
        let sleep =
            tokio::time::sleep_until(deadline.map_or_else(
                || tokio::time::Instant::now() + Duration::from_secs(3600),
                Into::into,
            ));
        tokio::select! {
            request = requests.recv() => match request {
                None => break,
                Some(Request::Wait { id, target, timeout, reply }) => {
                    wait_replies.insert(id, reply);
                    machine.wait(id, target, Instant::now(), timeout);
                }
                Some(Request::Cancel(id)) => {
                    wait_replies.remove(&id);
                    machine.cancel(id);
                }
                Some(Request::Publish { id, path, record, if_absent, reply }) => {
                    publish_replies.insert(id, reply);
                    machine.publish(id, path, record, if_absent);
                }
                Some(Request::Call(c, reply)) => {
                    let store = Arc::clone(&store);
                    tokio::spawn(async move {
                        let _ = reply.send(call(&*store, c).await);
                    });
                }
            },
            Some(event) = events.recv() => match event {
                StoreEvent::Changed(path) => machine.handle_changed(&path),
                StoreEvent::SessionLost => machine.handle_session_lost(),
            },
            Some(done) = done_rx.recv() => match done {
                Done::Read(path, r) => machine.handle_read(&path, r),
                Done::List(path, r) => machine.handle_list(&path, r),
                Done::Created(op, r) => machine.handle_created(op, r),
                Done::Fetched(op, r) => machine.handle_fetched(op, r),
                Done::Updated(op, r) => machine.handle_updated(op, r),
            },
            _ = sleep, if deadline.is_some() => machine.handle_timeout(Instant::now()),
        }
    }
    store.close().await;
}
