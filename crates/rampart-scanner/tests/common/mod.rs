//! What the scanner's integration tests share: reading a request head on the tiny test servers.

use tokio::io::{AsyncRead, AsyncReadExt};

/// Reads an HTTP/1.1 request up to the end of its headers (at most 16 KiB); `None` when the
/// peer went away first.
pub async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Option<String> {
    let mut buffer = vec![0u8; 16384];
    let mut filled = 0;
    while !buffer[..filled].windows(4).any(|w| w == b"\r\n\r\n") && filled < buffer.len() {
        match stream.read(&mut buffer[filled..]).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => filled += n,
        }
    }
    Some(String::from_utf8_lossy(&buffer[..filled]).into_owned())
}
