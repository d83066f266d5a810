// The "licensorctl keys" surface in one place: names, options and help of every subcommand.
#include <array>

#include "commands.hpp"
#include "key_dir_access.hpp"

namespace licensor::cli {
namespace {

constexpr option_spec dir_option{"dir", true, true};

constexpr std::array init_options = {dir_option, option_spec{"dev-unwrapped"}, option_spec{"force"},
                                     passphrase_env_option};
constexpr std::array change_options = {dir_option, passphrase_env_option};
constexpr std::array list_options = {dir_option, option_spec{"json"}};
constexpr std::array keyring_options = {dir_option, option_spec{"out", true}, option_spec{"json"}};
constexpr std::array sign_options = {dir_option, option_spec{"claims", true, true}, passphrase_env_option};
constexpr std::array verify_options = {
    option_spec{"root", true, true},    option_spec{"keyring", true, true},
    option_spec{"token", true, true},   option_spec{"product", true, true},
    option_spec{"email", true},         option_spec{"app-version", true},
    option_spec{"fingerprint", true},   option_spec{"now", true},
    option_spec{"json"}};

#define LICENSOR_PASSPHRASE_HELP                                                              \
  "  --passphrase-env NAME  the environment variable holding the passphrase (default\n"       \
  "                         LICENSOR_PASSPHRASE); unset or empty: typed on the terminal\n"

constexpr std::array commands = {
    command{"init", "create a key dir: root key, first signing key, keyring version 1",
            "usage: licensorctl keys init --dir DIR [--dev-unwrapped] [--force] [--passphrase-env NAME]\n\n"
            "Creates DIR (mode 0700) with a root key pair, a first signing key and keyring version 1,\n"
            "secret keys wrapped as PASERK k4.secret-pw (Argon2id) with the passphrase (typed twice\n"
            "when it comes from the terminal). Prints the root public key file and PASERK (pin it in\n"
            "apps) and the first kid.\n\n"
            "  --dir DIR              the key directory\n"
            "  --dev-unwrapped        DEVELOPMENT ONLY: store secret keys unencrypted (k4.secret)\n"
            "  --force                replace the keys DIR already holds (the old root is lost)\n" LICENSOR_PASSPHRASE_HELP,
            init_options, 0, keys_init_run},
    command{"rotate", "make a new signing key active; the old one is retired",
            "usage: licensorctl keys rotate --dir DIR [--passphrase-env NAME]\n\n"
            "Creates a new active signing key; the previous one is retired (it still verifies the\n"
            "tokens it signed). The keyring version goes up and the root re-signs it. Prints the new kid.\n\n"
            "  --dir DIR              the key directory\n" LICENSOR_PASSPHRASE_HELP,
            change_options, 0, keys_rotate_run},
    command{"revoke", "list a signing key as revoked; its tokens are rejected",
            "usage: licensorctl keys revoke --dir DIR [--passphrase-env NAME] KID\n\n"
            "Lists KID (a k4.pid) as revoked in a new keyring version and deletes its secret key.\n"
            "Every token it signed is then rejected, whatever its iat. Refuses to revoke the last\n"
            "active key (no_active_key): rotate first.\n\n"
            "  --dir DIR              the key directory\n" LICENSOR_PASSPHRASE_HELP,
            change_options, 1, keys_revoke_run},
    command{"list", "show the keys of the keyring",
            "usage: licensorctl keys list --dir DIR [--json]\n\n"
            "Shows the keyring's version and each key: kid, status (active, retired), nbf, revoked.\n"
            "Checks the keyring against DIR/root.public; needs no passphrase.\n\n"
            "  --dir DIR              the key directory\n"
            "  --json                 machine-readable output\n",
            list_options, 0, keys_list_run},
    command{"keyring", "print or export the root-signed keyring token",
            "usage: licensorctl keys keyring --dir DIR [--out FILE] [--json]\n\n"
            "Prints the current keyring token (what apps load and GET /v1/keyring serves), after\n"
            "checking it against DIR/root.public. Needs no passphrase.\n\n"
            "  --dir DIR              the key directory\n"
            "  --out FILE             write the token to FILE (atomically) instead of printing it\n"
            "  --json                 print {\"token\", \"keyring\"}: the token and its decoded payload\n",
            keyring_options, 0, keys_keyring_run},
    command{"sign", "sign license claims into a license token with the active key",
            "usage: licensorctl keys sign --dir DIR --claims FILE|- [--passphrase-env NAME]\n\n"
            "Signs a license claims JSON object (iss, sub, iat, nbf, [exp], product, tier, kind,\n"
            "email, seats, features, [min_version], [max_version], [fingerprint]; times in RFC 3339)\n"
            "with the active signing key and prints the license token (PASETO v4.public).\n\n"
            "  --dir DIR              the key directory\n"
            "  --claims FILE|-        the claims JSON file, or - for standard input\n" LICENSOR_PASSPHRASE_HELP,
            sign_options, 0, keys_sign_run},
    command{"verify", "check a license token offline, as an app would",
            "usage: licensorctl keys verify --root ROOT --keyring FILE --token FILE|- --product P\n"
            "                               [--email E] [--app-version V] [--fingerprint F]\n"
            "                               [--now RFC3339] [--json]\n\n"
            "Checks a license token with the verifier library: keyring signed by the pinned root,\n"
            "kid known and not revoked, signature, times, product and bindings. Prints the status,\n"
            "the kid and (when valid) the claims; the exit status tells the result (below).\n\n"
            "  --root ROOT            the root public key: a k4.public, or a file holding one\n"
            "  --keyring FILE         the keyring token file (licensorctl keys keyring --out)\n"
            "  --token FILE|-         the license token file, or - for standard input\n"
            "  --product P            the product the app is\n"
            "  --email E              the email the license must be bound to\n"
            "  --app-version V        the app version the license must cover\n"
            "  --fingerprint F        this machine's fingerprint\n"
            "  --now RFC3339          check as of this time instead of the clock\n"
            "  --json                 print {\"status\", \"kid\", \"claims\"}\n",
            verify_options, 0, keys_verify_run},
};

#undef LICENSOR_PASSPHRASE_HELP

}  // namespace

std::span<const command> keys_commands() noexcept { return commands; }

}  // namespace licensor::cli
