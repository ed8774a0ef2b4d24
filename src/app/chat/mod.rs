//! What the widget and the dashboard share: the message list and the composer.

mod composer;
mod message_list;
mod rich_text;

pub use composer::Composer;
pub use message_list::{MessageList, Viewer};
