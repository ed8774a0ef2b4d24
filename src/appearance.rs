//! A tenant's look in the widget: its colour, the launcher's side, the avatar's initials, and
//! the colours derived from the brand colour so that every text drawn on it, or in it, stays
//! at WCAG AA contrast (4.5:1) whatever colour a shop picks. Shared by the server (which
//! renders the messenger), the messenger and the settings page's live preview.

use serde::{Deserialize, Serialize};

/// The widget's colour when a tenant set none.
pub const DEFAULT_COLOUR: &str = "#2f5bea";
/// The longest widget title a tenant may set.
pub const MAX_TITLE_CHARS: usize = 60;
/// WCAG 2's AA contrast for normal text.
pub const AA_CONTRAST: f64 = 4.5;

/// Which bottom corner of the shop's page the chat bubble sits in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LauncherSide {
    #[default]
    Right,
    Left,
}

impl LauncherSide {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Right => "right",
            Self::Left => "left",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "right" => Some(Self::Right),
            "left" => Some(Self::Left),
            _ => None,
        }
    }
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

const WHITE: Rgb = Rgb(255, 255, 255);
const BLACK: Rgb = Rgb(0, 0, 0);

impl Rgb {
    /// `#rrggbb` (either case), the form `<input type="color">` gives.
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self(part(0)?, part(2)?, part(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2's relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG 2's contrast ratio, from 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour moved `share` (0 to 1) of the way to black.
    fn darker(self, share: f64) -> Self {
        let keep = |c: u8| (f64::from(c) * (1.0 - share)).round() as u8;
        Self(keep(self.0), keep(self.1), keep(self.2))
    }
}

/// The widget's colours for a brand colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    /// The brand colour: the header, the visitor's own messages, Send, the bubble.
    pub brand: Rgb,
    /// Text and icons on the brand colour: white where it reaches AA, else black (one of the
    /// two always does).
    pub on_brand: Rgb,
    /// The brand colour as text on white (links, "Talk to a human"): darkened until AA.
    pub brand_text: Rgb,
}

impl Palette {
    /// The palette of a `#rrggbb` colour; the default colour's when it is none or not one.
    pub fn of(colour: Option<&str>) -> Self {
        let brand = colour
            .and_then(Rgb::parse)
            .or_else(|| Rgb::parse(DEFAULT_COLOUR))
            .unwrap_or(BLACK);
        let on_brand = if brand.contrast(WHITE) >= AA_CONTRAST {
            WHITE
        } else {
            BLACK
        };
        let brand_text = (0..=20)
            .map(|step| brand.darker(f64::from(step) / 20.0))
            .find(|c| c.contrast(WHITE) >= AA_CONTRAST)
            .unwrap_or(BLACK);
        Self {
            brand,
            on_brand,
            brand_text,
        }
    }

    /// The contrast of the text on the brand colour, for the settings page to show.
    pub fn on_brand_contrast(&self) -> f64 {
        self.brand.contrast(self.on_brand)
    }

    /// The CSS custom properties the messenger's stylesheet draws with.
    pub fn css_variables(&self) -> String {
        format!(
            "--brand: {}; --brand-ink: {}; --brand-text: {};",
            self.brand.hex(),
            self.on_brand.hex(),
            self.brand_text.hex()
        )
    }
}

/// The avatar's letters when a tenant uploaded no image: the first letter of the title's first
/// two words ("Koffie Kade" → "KK", "demo" → "D").
pub fn initials(title: &str) -> String {
    title
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_colour_keeps_its_texts_at_aa() {
        // A sweep of the whole cube, 17 steps a channel: dark, light, saturated, grey.
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let palette = Palette::of(Some(&Rgb(r, g, b).hex()));
                    assert!(palette.on_brand_contrast() >= AA_CONTRAST, "{palette:?}");
                    assert!(
                        palette.brand_text.contrast(WHITE) >= AA_CONTRAST,
                        "{palette:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn text_on_the_colour_is_white_where_it_can_be() {
        assert_eq!(Palette::of(Some("#2f5bea")).on_brand, WHITE);
        assert_eq!(Palette::of(Some("#FFD500")).on_brand, BLACK);
        // A light colour is darkened for text on white; a dark one is kept.
        assert_ne!(Palette::of(Some("#ffd500")).brand_text, Rgb(255, 213, 0));
        assert_eq!(
            Palette::of(Some("#7a4a21")).brand_text,
            Rgb(0x7a, 0x4a, 0x21)
        );
    }

    #[test]
    fn only_six_digit_hex_colours_are_read() {
        assert_eq!(Rgb::parse("#7A4a21"), Some(Rgb(0x7a, 0x4a, 0x21)));
        for bad in [
            "7a4a21", "#7a4a2", "#7a4a211", "#ggg000", "red", "", "#7a4a2é",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(Palette::of(Some("red")), Palette::of(None));
    }

    #[test]
    fn initials_come_from_the_first_two_words() {
        assert_eq!(initials("Koffie Kade Rotterdam"), "KK");
        assert_eq!(initials("demo"), "D");
        assert_eq!(initials("  ¡hola amigos"), "HA");
        assert_eq!(initials(""), "");
    }
}
