#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "cli_output.hpp"
#include "dispatch.hpp"
#include "licensor/verifier.hpp"

using namespace licensor;
using namespace licensor::cli;

namespace {

cli_output run(std::vector<std::string> args) { return cli_dispatch(args, cli_context{}); }

}  // namespace

TEST_CASE("--help on the tool and on every command exits 0 and prints usage") {
  for (const auto& args : {std::vector<std::string>{"--help"}, {"-h"}, {"keys", "--help"}}) {
    const auto output = run(args);
    CHECK(output.exit_code == 0);
    CHECK(output.out.find("usage: licensorctl keys") != std::string::npos);
  }
  for (const auto& c : keys_commands()) {
    CAPTURE(c.name);
    const auto output = run({"keys", std::string(c.name), "--help"});
    CHECK(output.exit_code == 0);
    CHECK(output.out.starts_with("usage: licensorctl keys " + std::string(c.name)));
    CHECK(output.err.empty());
  }
  CHECK(run({"keys", "verify", "--help"}).out.find("12  revoked_key") != std::string::npos);
}

TEST_CASE("bad command lines exit 2 with one bad_request line") {
  for (const auto& args : {std::vector<std::string>{}, {"frob"}, {"keys"}, {"keys", "frob"},
                           {"keys", "init"}, {"keys", "list", "--dir", "d", "--bogus"},
                           {"keys", "revoke", "--dir", "d"}, {"keys", "rotate", "--dir", "d", "extra"},
                           {"keys", "verify", "--root", "r", "--keyring", "k", "--token", "t"}}) {
    const auto output = run(args);
    CHECK(output.exit_code == 2);
    CHECK(output.err.starts_with("licensorctl: error: bad_request: "));
    CHECK(output.err.find('\n') == output.err.size() - 1);
    CHECK(output.out.empty());
  }
}

TEST_CASE("each verify failure has its own exit status; valid ones exit 0") {
  std::set<int> seen;
  for (int s = 0; s <= static_cast<int>(verify_status::keyring_rollback); ++s) {
    const auto status = static_cast<verify_status>(s);
    const auto code = exit_code_for(verify_status_name(status));
    CAPTURE(verify_status_name(status));
    if (status == verify_status::valid || status == verify_status::valid_in_grace) {
      CHECK(code == 0);
      continue;
    }
    CHECK(code >= 10);
    CHECK(seen.insert(code).second);
  }
}

TEST_CASE("key errors map to their documented exit statuses") {
  CHECK(exit_code_for(errc_code(errc::bad_request)) == 2);
  CHECK(exit_code_for(errc_code(errc::wrong_password)) == 3);
  CHECK(exit_code_for(errc_code(errc::io_error)) == 4);
  CHECK(exit_code_for(errc_code(errc::already_exists)) == 5);
  CHECK(exit_code_for(errc_code(errc::no_active_key)) == 6);
  CHECK(exit_code_for(errc_code(errc::not_found)) == 7);
  CHECK(exit_code_for(errc_code(errc::internal)) == 1);
  // The verifier's failure names are errc codes, so both kinds share one table.
  CHECK(exit_code_for(errc_code(errc::revoked_key)) == exit_code_for(verify_status_name(verify_status::revoked_key)));
}

TEST_CASE("cli_fail prints one line naming the code") {
  const auto output = cli_fail(errc::no_active_key, "rotate first");
  CHECK(output.exit_code == 6);
  CHECK(output.err == "licensorctl: error: no_active_key: rotate first\n");
}
