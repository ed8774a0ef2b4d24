//! Files in the conversation: receiving an upload (its type read from its bytes, its size
//! bounded, stored piece by piece), checking the files a message names, and serving one from
//! its signed address. docs/design.md, "Attachments".

use super::{AgentActor, Hub, HubError, HubResult, VisitorActor};
use crate::protocol::{
    Attachment, AttachmentPolicy, Sender, SessionStatus, MAX_ATTACHMENTS_PER_MESSAGE,
};
use crate::server::{
    attachments::{
        clean_name,
        kinds::{sniff, Accepted},
        size_in_words,
        urls::unix_now,
        AttachmentRules, CHUNK_BYTES, UNATTACHED_KEPT,
    },
    shutdown::ShutdownListener,
    store::{new_id, DynStore, FinishedUpload, NewAttachment, StoredAttachment},
};
use axum::body::Bytes;
use futures::{stream, Stream, StreamExt};
use std::sync::Arc;

/// Why an upload, or a message's files, were refused.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentRefused {
    #[error("The file is larger than {}, the most that can be sent.", size_in_words(*.0))]
    TooLarge(u64),
    #[error("This kind of file cannot be sent here: {0} can.")]
    TypeNotAllowed(String),
    #[error("{0}")]
    Invalid(&'static str),
}

/// Where an upload goes, and who sends it.
struct UploadTo {
    tenant_id: String,
    session_id: String,
    uploader: Sender,
}

/// A body's bytes, in pieces of [`CHUNK_BYTES`], refused past the largest size allowed.
struct Pieces<S> {
    body: S,
    max_bytes: u64,
    read: u64,
    ended: bool,
}

impl<S, E> Pieces<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    /// The next piece (full unless it is the last); `None` once the body ended.
    async fn next(&mut self) -> HubResult<Option<Vec<u8>>> {
        let mut piece = Vec::new();
        while piece.len() < CHUNK_BYTES && !self.ended {
            match self.body.next().await {
                Some(Ok(bytes)) => {
                    self.read += bytes.len() as u64;
                    if self.read > self.max_bytes {
                        return Err(refused(AttachmentRefused::TooLarge(self.max_bytes)));
                    }
                    piece.extend_from_slice(&bytes);
                }
                Some(Err(_)) => {
                    return Err(refused(AttachmentRefused::Invalid(
                        "The upload broke off before the whole file arrived.",
                    )))
                }
                None => self.ended = true,
            }
        }
        // A piece may be larger than CHUNK_BYTES by part of one frame of the body.
        Ok((!piece.is_empty()).then_some(piece))
    }
}

fn refused(why: AttachmentRefused) -> HubError {
    HubError::Attachment(why)
}

/// Removes an upload that was broken off (its request dropped mid-way), unless finished.
struct Unfinished {
    store: Option<DynStore>,
    id: String,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let id = std::mem::take(&mut self.id);
            tokio::spawn(async move { store.delete_attachment(&id).await });
        }
    }
}

impl Hub {
    /// How large an upload may be, and how long an address stays good.
    pub fn attachment_rules(&self) -> AttachmentRules {
        self.attachments
    }

    /// What a tenant's composers may upload, from the kinds it accepts.
    pub fn attachment_policy(&self, accepted: &Accepted) -> AttachmentPolicy {
        AttachmentPolicy {
            accepted: accepted.content_types(),
            max_bytes: self.attachments.max_bytes,
        }
    }

    /// A visitor's upload into their conversation.
    pub async fn visitor_upload<S, E>(
        &self,
        visitor: &VisitorActor,
        name: Option<&str>,
        body: S,
    ) -> HubResult<Attachment>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    {
        self.limits.upload(&visitor.session_id)?;
        let session = self.visitor_session(visitor).await?;
        let to = UploadTo {
            tenant_id: visitor.tenant_id.clone(),
            session_id: session.id,
            uploader: Sender::visitor(session.visitor.name),
        };
        self.receive(to, name, body).await
    }

    /// An agent's upload into a conversation of their tenant that is not closed.
    pub async fn agent_upload<S, E>(
        &self,
        agent: &AgentActor,
        session_id: &str,
        name: Option<&str>,
        body: S,
    ) -> HubResult<Attachment>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    {
        self.limits.upload(&agent.agent_id)?;
        let session = self.session_for(agent, session_id).await?;
        if session.status == SessionStatus::Closed {
            return Err(HubError::SessionClosed);
        }
        let to = UploadTo {
            tenant_id: agent.tenant_id.clone(),
            session_id: session.id,
            uploader: agent.as_sender(),
        };
        self.receive(to, name, body).await
    }

    /// Reads the first piece, refuses what the tenant does not accept before anything is
    /// stored, then stores the file piece by piece. A refusal part-way removes what was stored.
    async fn receive<S, E>(
        &self,
        to: UploadTo,
        name: Option<&str>,
        body: S,
    ) -> HubResult<Attachment>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    {
        let store = self.timeline.store();
        let tenant = store
            .tenant(&to.tenant_id)
            .await?
            .ok_or(HubError::NotFound("tenant"))?;
        let name = clean_name(name);
        let mut pieces = Pieces {
            body,
            max_bytes: self.attachments.max_bytes,
            read: 0,
            ended: false,
        };
        let head = pieces
            .next()
            .await?
            .ok_or(refused(AttachmentRefused::Invalid("The file is empty.")))?;
        let content_type = sniff(&head, pieces.ended, &name)
            .filter(|t| tenant.attachments.accepts(t))
            .ok_or_else(|| {
                refused(AttachmentRefused::TypeNotAllowed(
                    tenant.attachments.in_words(),
                ))
            })?;
        let (width, height) = dimensions(content_type, &head);
        let new = NewAttachment {
            id: new_id(),
            tenant_id: to.tenant_id,
            session_id: to.session_id,
            uploader: to.uploader,
            name,
            content_type: content_type.to_string(),
        };
        store.create_attachment(&new).await?;
        let mut unfinished = Unfinished {
            store: Some(store.clone()),
            id: new.id.clone(),
        };
        let stored = store_pieces(store, &new.id, head, &mut pieces).await;
        unfinished.store = None;
        let (size, chunks) = match stored {
            Ok(stored) => stored,
            Err(error) => {
                store.delete_attachment(&new.id).await?;
                return Err(error);
            }
        };
        let done = FinishedUpload {
            size,
            chunks,
            width,
            height,
        };
        store.finish_attachment(&new.id, &done).await?;
        Ok(Attachment {
            url: self.timeline.urls().url_at(&new.id, unix_now()),
            id: new.id,
            name: new.name,
            content_type: new.content_type,
            size,
            width,
            height,
        })
    }

    /// The files a new message names: its own conversation's complete uploads, each once, at
    /// most [`MAX_ATTACHMENTS_PER_MESSAGE`]. Another conversation's (or tenant's) is not found.
    pub(super) async fn message_files(
        &self,
        tenant_id: &str,
        session_id: &str,
        ids: Vec<String>,
    ) -> HubResult<Vec<Attachment>> {
        let mut unique: Vec<String> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        if unique.len() > MAX_ATTACHMENTS_PER_MESSAGE {
            return Err(refused(AttachmentRefused::Invalid(
                "A message can carry at most 10 files.",
            )));
        }
        let mut files = Vec::with_capacity(unique.len());
        for id in unique {
            let stored = self
                .timeline
                .store()
                .attachment(&id)
                .await?
                .filter(|a| a.tenant_id == tenant_id && a.session_id == session_id)
                .ok_or(HubError::NotFound("attachment"))?;
            files.push(stored.attachment);
        }
        Ok(files)
    }

    /// A file by its signed address: its description and its bytes, piece by piece. A
    /// tampered or expired address is not found, as is a file that is gone.
    pub async fn attachment_by_url(
        &self,
        id: &str,
        exp: u64,
        sig: &str,
    ) -> HubResult<(
        StoredAttachment,
        impl Stream<Item = Result<Bytes, std::io::Error>>,
    )> {
        if !self.timeline.urls().verify_at(id, exp, sig, unix_now()) {
            return Err(HubError::NotFound("attachment"));
        }
        let store = self.timeline.store().clone();
        let stored = store
            .attachment(id)
            .await?
            .ok_or(HubError::NotFound("attachment"))?;
        let (id, chunks) = (id.to_string(), stored.chunks);
        let bytes = stream::unfold(0u32, move |index| {
            let (store, id) = (store.clone(), id.clone());
            async move {
                if index >= chunks {
                    return None;
                }
                let piece = match store.attachment_chunk(&id, index).await {
                    Ok(Some(bytes)) => Ok(Bytes::from(bytes)),
                    Ok(None) => Err(std::io::Error::other("a piece of the file is missing")),
                    Err(error) => Err(std::io::Error::other(error.to_string())),
                };
                Some((piece, index + 1))
            }
        });
        Ok((stored, bytes))
    }

    /// A file of the agent's tenant, with a fresh address (one that expired in an open page
    /// is asked for again). Another tenant's, or a test conversation's, is not found.
    pub async fn attachment_for(&self, agent: &AgentActor, id: &str) -> HubResult<Attachment> {
        let stored = self
            .timeline
            .store()
            .attachment(id)
            .await?
            .filter(|a| a.tenant_id == agent.tenant_id)
            .ok_or(HubError::NotFound("attachment"))?;
        self.session_for(agent, &stored.session_id).await?;
        let mut attachment = stored.attachment;
        attachment.url = self.timeline.urls().url_at(&attachment.id, unix_now());
        Ok(attachment)
    }

    /// Removes, every hour, the uploads no message took within a day.
    pub fn keep_sweeping_uploads(self: Arc<Self>, mut stop: ShutdownListener) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tokio::select! {
                    _ = every.tick() => {},
                    () = stop.stopping() => return,
                }
                let before = chrono::Utc::now() - UNATTACHED_KEPT;
                let before = before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                match self.timeline.store().remove_unattached(&before).await {
                    Ok(0) => {}
                    Ok(removed) => tracing::info!(removed, "removed uploads no message took"),
                    Err(error) => {
                        tracing::warn!(%error, "could not remove old uploads; trying again in an hour")
                    }
                }
            }
        });
    }
}

/// Stores the first piece and the rest as they arrive: the file's size and how many pieces.
async fn store_pieces<S, E>(
    store: &DynStore,
    id: &str,
    head: Vec<u8>,
    pieces: &mut Pieces<S>,
) -> HubResult<(u64, u32)>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let (mut size, mut index) = (0u64, 0u32);
    let mut piece = Some(head);
    while let Some(bytes) = piece {
        store.add_attachment_chunk(id, index, &bytes).await?;
        size += bytes.len() as u64;
        index += 1;
        piece = pieces.next().await?;
    }
    Ok((size, index))
}

/// An image's width and height from its first bytes, when they say.
fn dimensions(content_type: &str, head: &[u8]) -> (Option<u32>, Option<u32>) {
    if !content_type.starts_with("image/") {
        return (None, None);
    }
    match imagesize::blob_size(head) {
        Ok(size) => (
            u32::try_from(size.width).ok(),
            u32::try_from(size.height).ok(),
        ),
        Err(_) => (None, None),
    }
}
