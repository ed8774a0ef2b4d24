//! The tenant's settings, for its admins: how the assistant behaves (on or off, which
//! answerer, the greeting, the hand-over sentence) and how conversations find an agent.
//! `admin tenant set` changes the same.

use super::{AgentActor, Hub, HubError, HubResult};
use crate::protocol::{
    AssistantSettings, AssistantSettingsRequest, OfficeHoursSettings, RoutingSettings,
};
use crate::server::ai::handover;
use crate::server::office_hours::OfficeHours;
use crate::server::store::{Tenant, TenantAi};

impl Hub {
    pub async fn assistant_settings(&self, actor: &AgentActor) -> HubResult<AssistantSettings> {
        let tenant = self.admins_tenant(actor).await?;
        Ok(self.settings_wire(tenant.ai))
    }

    pub async fn set_assistant_settings(
        &self,
        actor: &AgentActor,
        request: AssistantSettingsRequest,
    ) -> HubResult<AssistantSettings> {
        let tenant = self.admins_tenant(actor).await?;
        let settings = self.checked_settings(request)?;
        self.timeline
            .store()
            .update_tenant(&tenant.id, &tenant.allowed_origins, &settings)
            .await?;
        tracing::info!(by = %actor.agent_id, enabled = settings.enabled, "assistant settings changed");
        Ok(self.settings_wire(settings))
    }

    pub async fn routing_settings(&self, actor: &AgentActor) -> HubResult<RoutingSettings> {
        let tenant = self.admins_tenant(actor).await?;
        Ok(tenant.routing)
    }

    /// Switching to automatic assignment hands out the queue at once.
    pub async fn set_routing_settings(
        &self,
        actor: &AgentActor,
        request: RoutingSettings,
    ) -> HubResult<RoutingSettings> {
        Self::require_admin(actor)?;
        let routing = request.checked().map_err(HubError::InvalidSettings)?;
        if !self
            .timeline
            .store()
            .set_routing(&actor.tenant_id, &routing)
            .await?
        {
            return Err(HubError::NotFound("tenant"));
        }
        tracing::info!(by = %actor.agent_id, assignment = routing.assignment.as_str(), capacity = routing.capacity, "routing settings changed");
        self.timeline.desk_changes().note(&actor.tenant_id);
        Ok(routing)
    }

    pub async fn hours_settings(&self, actor: &AgentActor) -> HubResult<OfficeHoursSettings> {
        let tenant = self.admins_tenant(actor).await?;
        Ok(tenant.hours)
    }

    /// New office hours reach the widgets at once (on this node; on others with their sweep).
    pub async fn set_hours_settings(
        &self,
        actor: &AgentActor,
        request: OfficeHoursSettings,
    ) -> HubResult<OfficeHoursSettings> {
        Self::require_admin(actor)?;
        let hours = checked_hours(request).map_err(HubError::InvalidHours)?;
        if !self
            .timeline
            .store()
            .set_hours(&actor.tenant_id, &hours)
            .await?
        {
            return Err(HubError::NotFound("tenant"));
        }
        tracing::info!(by = %actor.agent_id, hours = ?hours.hours, timezone = %hours.timezone, "office hours changed");
        self.refresh_presence(&actor.tenant_id).await;
        Ok(hours)
    }

    /// The acting admin's tenant, for its settings; refused to agents who are not admins.
    async fn admins_tenant(&self, actor: &AgentActor) -> HubResult<Tenant> {
        Self::require_admin(actor)?;
        self.timeline
            .store()
            .tenant(&actor.tenant_id)
            .await?
            .ok_or(HubError::NotFound("tenant"))
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

/// Office hours as given, checked: blank hours mean at any hour; the zone must be a real one
/// either way, so that hours set later read in it.
pub fn checked_hours(given: OfficeHoursSettings) -> Result<OfficeHoursSettings, String> {
    let timezone = given.timezone.trim().to_string();
    let hours = given
        .hours
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    OfficeHours::parse(hours.as_deref().unwrap_or("Mon-Sun 00:00-24:00"), &timezone)?;
    Ok(OfficeHoursSettings { hours, timezone })
}
