//! How a tenant's widget looks (its title, colour, launcher side and avatar), set by its admins
//! on the settings page or with `admin tenant set`, and served to every visitor: resolved for
//! the messenger and `widget.js`, and the avatar image itself.

use super::{AgentActor, Hub, HubError, HubResult};
use crate::appearance::{Palette, Rgb, MAX_TITLE_CHARS};
use crate::protocol::{AppearanceRequest, AppearanceSettings, WidgetLook};
use crate::server::store::{Avatar, Tenant, TenantLook};

/// The image types an avatar may be, by what their bytes say.
const AVATAR_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Why an avatar was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AvatarRefused {
    #[error("the image is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the avatar must be a PNG, JPEG, GIF or WebP image")]
    NotAnImage,
}

impl Hub {
    pub async fn appearance(&self, actor: &AgentActor) -> HubResult<AppearanceSettings> {
        Self::require_admin(actor)?;
        let tenant = self.own_tenant(actor).await?;
        Ok(appearance_wire(&tenant))
    }

    pub async fn set_appearance(
        &self,
        actor: &AgentActor,
        request: AppearanceRequest,
    ) -> HubResult<AppearanceSettings> {
        Self::require_admin(actor)?;
        let tenant = self.own_tenant(actor).await?;
        let look = TenantLook {
            title: checked_title(request.title.as_deref()).map_err(HubError::InvalidSettings)?,
            colour: checked_colour(request.colour.as_deref()).map_err(HubError::InvalidSettings)?,
            launcher: request.launcher,
            avatar_version: tenant.look.avatar_version.clone(),
        };
        self.timeline.store().set_look(&tenant.id, &look).await?;
        tracing::info!(by = %actor.agent_id, "widget appearance changed");
        self.appearance(actor).await
    }

    /// Stores an uploaded avatar, whose type is read from its bytes (`bytes` is at most the
    /// server's limit: the HTTP layer stopped reading past it).
    pub async fn set_avatar(
        &self,
        actor: &AgentActor,
        bytes: Vec<u8>,
    ) -> HubResult<AppearanceSettings> {
        Self::require_admin(actor)?;
        let tenant = self.own_tenant(actor).await?;
        let avatar = checked_avatar(bytes).map_err(HubError::InvalidAvatar)?;
        self.timeline
            .store()
            .set_avatar(&tenant.id, Some(&avatar))
            .await?;
        self.appearance(actor).await
    }

    /// Back to the title's initials.
    pub async fn remove_avatar(&self, actor: &AgentActor) -> HubResult<AppearanceSettings> {
        Self::require_admin(actor)?;
        let tenant = self.own_tenant(actor).await?;
        self.timeline.store().set_avatar(&tenant.id, None).await?;
        self.appearance(actor).await
    }

    /// The avatar of the tenant whose widget key this is, for every visitor.
    pub async fn widget_avatar(&self, widget_key: &str) -> HubResult<Avatar> {
        let tenant = self.tenant_by_widget_key(widget_key).await?;
        self.timeline
            .store()
            .avatar(&tenant.id)
            .await?
            .ok_or(HubError::NotFound("avatar"))
    }

    async fn own_tenant(&self, actor: &AgentActor) -> HubResult<Tenant> {
        self.timeline
            .store()
            .tenant(&actor.tenant_id)
            .await?
            .ok_or(HubError::NotFound("tenant"))
    }
}

/// A widget title as given, trimmed (blank: the tenant's name), or why it cannot be one.
pub fn checked_title(given: Option<&str>) -> Result<Option<String>, &'static str> {
    let title = given.unwrap_or_default().trim();
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err("the widget's title must be at most 60 characters");
    }
    if title.chars().any(char::is_control) {
        return Err("the widget's title must be one line, without control characters");
    }
    Ok((!title.is_empty()).then(|| title.to_string()))
}

/// A colour as given, `#rrggbb` in lower case (blank: the default), or why it cannot be one.
pub fn checked_colour(given: Option<&str>) -> Result<Option<String>, &'static str> {
    let colour = given.unwrap_or_default().trim();
    if colour.is_empty() {
        return Ok(None);
    }
    Rgb::parse(colour)
        .map(|rgb| Some(rgb.hex()))
        .ok_or("the colour must be written #rrggbb, for example #7a4a21")
}

/// An avatar from its bytes: one of the image types, sniffed, never taken from a name.
pub fn checked_avatar(bytes: Vec<u8>) -> Result<Avatar, AvatarRefused> {
    let content_type = infer::get(&bytes)
        .map(|kind| kind.mime_type())
        .filter(|mime| AVATAR_TYPES.contains(mime))
        .ok_or(AvatarRefused::NotAnImage)?;
    Ok(Avatar {
        content_type: content_type.to_string(),
        bytes,
    })
}

/// The address of a tenant's avatar; its version in it lets browsers keep it for good.
fn avatar_url(tenant: &Tenant) -> Option<String> {
    tenant.look.avatar_version.as_ref().map(|version| {
        format!(
            "/api/v1/chat/public/widget/{}/avatar?v={version}",
            tenant.widget_key
        )
    })
}

/// How the tenant's widget looks, with the defaults filled in.
pub fn widget_look(tenant: &Tenant) -> WidgetLook {
    let palette = Palette::of(tenant.look.colour.as_deref());
    WidgetLook {
        title: tenant
            .look
            .title
            .clone()
            .unwrap_or_else(|| tenant.name.clone()),
        colour: palette.brand.hex(),
        on_colour: palette.on_brand.hex(),
        launcher: tenant.look.launcher,
        avatar_url: avatar_url(tenant),
    }
}

fn appearance_wire(tenant: &Tenant) -> AppearanceSettings {
    AppearanceSettings {
        tenant_name: tenant.name.clone(),
        title: tenant.look.title.clone(),
        colour: tenant.look.colour.clone(),
        launcher: tenant.look.launcher,
        avatar_url: avatar_url(tenant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appearance::DEFAULT_COLOUR;

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ];

    #[test]
    fn an_avatar_is_what_its_bytes_say() {
        assert_eq!(
            checked_avatar(PNG.to_vec()).unwrap().content_type,
            "image/png"
        );
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(checked_avatar(svg.to_vec()), Err(AvatarRefused::NotAnImage));
        let html = b"<!DOCTYPE html><html><body>hi</body></html>";
        assert_eq!(
            checked_avatar(html.to_vec()),
            Err(AvatarRefused::NotAnImage)
        );
        assert_eq!(checked_avatar(Vec::new()), Err(AvatarRefused::NotAnImage));
        let pdf = b"%PDF-1.7\n";
        assert_eq!(checked_avatar(pdf.to_vec()), Err(AvatarRefused::NotAnImage));
    }

    #[test]
    fn titles_and_colours_are_checked() {
        assert_eq!(
            checked_title(Some("  Koffie Kade ")),
            Ok(Some("Koffie Kade".into()))
        );
        assert_eq!(checked_title(Some("   ")), Ok(None));
        assert!(checked_title(Some(&"x".repeat(61))).is_err());
        assert!(checked_title(Some("two\nlines")).is_err());
        assert_eq!(checked_colour(Some("#7A4A21")), Ok(Some("#7a4a21".into())));
        assert_eq!(checked_colour(Some("")), Ok(None));
        assert!(checked_colour(Some("brown")).is_err());
        assert!(checked_colour(Some("#7a4a21; background: url(x)")).is_err());
    }

    #[test]
    fn the_default_colour_is_the_one_the_palette_falls_back_to() {
        assert_eq!(Palette::of(None).brand.hex(), DEFAULT_COLOUR);
    }
}
