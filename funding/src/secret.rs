//! Secrets: password and passphrase hashing (argon2id), random tokens and their digests.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// argon2id with 19 MiB of memory, two passes and one lane: the OWASP minimum for argon2id,
/// about 20 ms per hash on this project's 2-core machines.
const ARGON2_MEMORY_KIB: u32 = 19_456;
const ARGON2_PASSES: u32 = 2;
const ARGON2_LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .expect("argon2 parameters are constants within the algorithm's limits");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password or passphrase into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
///
/// Hashing is CPU-bound for tens of milliseconds, so it runs on the blocking pool.
pub async fn hash_secret(secret: &str) -> String {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(secret.as_bytes(), &salt)
            .expect("argon2 hashing cannot fail with valid parameters and a generated salt")
            .to_string()
    })
    .await
    .expect("the hashing task does not panic")
}

/// Checks `candidate` against a PHC string made by [`hash_secret`]. A malformed stored hash
/// counts as a mismatch.
pub async fn verify_secret(stored_hash: &str, candidate: &str) -> bool {
    let stored_hash = stored_hash.to_owned();
    let candidate = candidate.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| {
                argon2()
                    .verify_password(candidate.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A random token of `bytes` bytes from the operating system's generator, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The hex SHA-256 of `value`; how tokens and keys are stored and looked up.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_phc_with_the_chosen_parameters() {
        let hash = hash_secret("correct horse battery").await;

        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_secret(&hash, "correct horse battery").await);
        assert!(!verify_secret(&hash, "correct horse battery!").await);
    }

    #[tokio::test]
    async fn malformed_stored_hash_never_verifies() {
        assert!(!verify_secret("not a hash", "anything").await);
    }

    #[test]
    fn random_tokens_differ_and_have_the_asked_length() {
        let a = random_token(32);
        let b = random_token(32);

        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
