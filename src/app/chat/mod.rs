//! What the widget and the dashboard share: the message list and the composer, with the files
//! a message carries (`uploads` and `tray` while it is written, `attached` once it is sent).

mod attached;
mod composer;
mod drop_zone;
mod message_list;
mod rich_text;
mod tray;
mod uploads;

pub use composer::{Composer, Draft};
pub use message_list::{MessageList, Viewer};
pub use uploads::Uploader;
