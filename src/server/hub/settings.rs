//! The tenant's settings, for its admins: how the assistant behaves (on or off, which
//! answerer, the greeting, the hand-over sentence). `admin tenant set` changes the same.

use super::{AgentActor, Hub, HubError, HubResult};
use crate::protocol::{AssistantSettings, AssistantSettingsRequest};
use crate::server::ai::handover;
use crate::server::store::TenantAi;

impl Hub {
    pub async fn assistant_settings(&self, actor: &AgentActor) -> HubResult<AssistantSettings> {
        Self::require_admin(actor)?;
        let tenant = self
            .timeline
            .store()
            .tenant(&actor.tenant_id)
            .await?
            .ok_or(HubError::NotFound("tenant"))?;
        Ok(self.settings_wire(tenant.ai))
    }

    pub async fn set_assistant_settings(
        &self,
        actor: &AgentActor,
        request: AssistantSettingsRequest,
    ) -> HubResult<AssistantSettings> {
        Self::require_admin(actor)?;
        let store = self.timeline.store();
        let tenant = store
            .tenant(&actor.tenant_id)
            .await?
            .ok_or(HubError::NotFound("tenant"))?;
        let settings = self.checked_settings(request)?;
        store
            .update_tenant(&tenant.id, &tenant.allowed_origins, &settings)
            .await?;
        tracing::info!(by = %actor.agent_id, enabled = settings.enabled, "assistant settings changed");
        Ok(self.settings_wire(settings))
    }

    fn checked_settings(&self, request: AssistantSettingsRequest) -> HubResult<TenantAi> {
        let (answerers, _) = self.answerer_names();
        let answerer = request.answerer.filter(|a| a != "default");
        if answerer.as_ref().is_some_and(|a| !answerers.contains(a)) {
            return Err(HubError::InvalidSettings(
                "this server has no such answerer (see `answerers`)",
            ));
        }
        let sentence = |given: Option<String>| {
            handover::checked_sentence(given.as_deref().unwrap_or_default())
                .map_err(HubError::InvalidSettings)
        };
        Ok(TenantAi {
            enabled: request.enabled,
            answerer,
            greeting: sentence(request.greeting)?,
            handover: sentence(request.handover)?,
        })
    }

    /// The answerers the server offers (none when its AI is off) and its default.
    fn answerer_names(&self) -> (Vec<String>, Option<String>) {
        match &self.assistant {
            Some(assistant) => {
                let (names, default) = assistant.answerer_names();
                (names, Some(default))
            }
            None => (Vec::new(), None),
        }
    }

    fn settings_wire(&self, ai: TenantAi) -> AssistantSettings {
        let (answerers, default_answerer) = self.answerer_names();
        AssistantSettings {
            enabled: ai.enabled,
            answerer: ai.answerer,
            greeting: ai.greeting,
            handover: ai.handover,
            default_handover: handover::DEFAULT_SENTENCE.to_string(),
            answerers,
            default_answerer,
        }
    }
}
