#![no_main]
//! Whatever the bytes, parsing and decrypting a callback returns a typed error, never panics.

use libfuzzer_sys::fuzz_target;
use wechat_work_core::callback::{crypto, xml, CallbackCrypto};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = xml::parse(text);
    let Ok(cb) = CallbackCrypto::new(
        "123456",
        "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
        "wx49f0ab532d5d035a",
        true,
    ) else {
        return;
    };
    let _ = cb.decrypt_message(text, "0000000000000000000000000000000000000000", "1", "2", 1);
    let _ = cb.verify_url("0000000000000000000000000000000000000000", "1", "2", text, 1);
    let _ = cb.decrypt_reply(text);
    if let Ok(key) = crypto::AesKey::from_encoding_aes_key("kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR") {
        let _ = crypto::decrypt(&key, text);
    }
});
