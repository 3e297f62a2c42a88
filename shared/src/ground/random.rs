//! Public identifiers drawn from the operating system's CSPRNG.

/// A random string of lowercase letters and digits, for public identifiers such as form and
/// session hashes. Rejection sampling keeps every symbol equally likely.
pub fn random_lowercase_alnum(len: usize) -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf)?;
        for &b in &buf {
            // 252 = 7 * 36: bytes at or above it would favour the first symbols.
            if b < 252 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hashes_use_the_lowercase_alphabet() {
        let hash = random_lowercase_alnum(26).expect("os rng");
        assert_eq!(hash.len(), 26);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_ne!(hash, random_lowercase_alnum(26).expect("os rng"));
    }
}
