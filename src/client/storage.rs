//! The browser's localStorage: where the widget keeps its session key and the dashboard its
//! sign-in, so that a reload or another page of the shop continues where it was.

#[cfg(feature = "hydrate")]
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn get(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        local()?.get_item(key).ok()?
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

pub fn set(key: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

pub fn remove(key: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}
