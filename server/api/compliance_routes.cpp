// The compliance sweep (core/compliance.hpp): operators read where it stands and run it now;
// a partner re-checks one license it fixed.
#include "api/body_reader.hpp"
#include "api/routes.hpp"
#include "core/compliance.hpp"
#include "core/views.hpp"

namespace licensor::server {

void compliance_get(service& svc, api_call&, responder respond) {
  respond(answer(compliance_state_view(must(svc.read()->compliance_sweep_get()), svc.config().compliance)));
}

// Asks for a sweep and runs the jobs at once; answers with the sweep's state once it ran.
void compliance_sweep_run(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, now = svc.now()](store::write_view& write, const signing&) {
    compliance_sweep_request(write, who, now);
    return answer(nlohmann::json::object(), 202);
  }, [&svc, respond = std::move(respond)](api_response requested) mutable {
    if (requested.status >= 300) return respond(std::move(requested));
    svc.jobs_run_now([&svc, respond = std::move(respond)](std::size_t) {
      respond(answer(compliance_state_view(must(svc.read()->compliance_sweep_get()), svc.config().compliance)));
    });
  });
}

void license_compliance_check(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], settings = svc.config().compliance,
                    licenses = license_settings{svc.config().caps, svc.config().leeway_seconds},
                    now = svc.now()](store::write_view& write, const signing& with) {
    return answer(license_view(compliance_check_now(write, who, id, settings, licenses, with, now)));
  }, std::move(respond));
}

}  // namespace licensor::server
