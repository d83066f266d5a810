// Every endpoint's handler, grouped by resource. Each is void(service&, api_call&, responder).
#pragma once

#include "api/router.hpp"

namespace licensor::server {

// public
void health_get(service&, api_call&, responder);
void openapi_get(service&, api_call&, responder);
void keyring_get(service&, api_call&, responder);
void activate_post(service&, api_call&, responder);
void validate_post(service&, api_call&, responder);
void roles_list(service&, api_call&, responder);
// operations
void metrics_get(service&, api_call&, responder);
void ready_get(service&, api_call&, responder);
void backup_create(service&, api_call&, responder);
void event_list(service&, api_call&, responder);
void activity_list(service&, api_call&, responder);
// webhooks
void event_type_list(service&, api_call&, responder);
void webhook_endpoint_create(service&, api_call&, responder);
void webhook_endpoint_list(service&, api_call&, responder);
void webhook_endpoint_get(service&, api_call&, responder);
void webhook_endpoint_update(service&, api_call&, responder);
void webhook_endpoint_delete(service&, api_call&, responder);
void webhook_secret_rotate(service&, api_call&, responder);
void webhook_test(service&, api_call&, responder);
void webhook_resend(service&, api_call&, responder);
void webhook_delivery_list(service&, api_call&, responder);
void mail_settings_get(service&, api_call&, responder);
void mail_settings_update(service&, api_call&, responder);
void mail_template_list(service&, api_call&, responder);
void mail_template_get(service&, api_call&, responder);
void mail_template_put(service&, api_call&, responder);
void mail_template_delete(service&, api_call&, responder);
void mail_delivery_list(service&, api_call&, responder);
// operators
void partner_create(service&, api_call&, responder);
void partner_list(service&, api_call&, responder);
void partner_get(service&, api_call&, responder);
void partner_update(service&, api_call&, responder);
void partner_enabling_request(service&, api_call&, responder);
void enabling_request_list(service&, api_call&, responder);     // operators only
void enabling_request_approve(service&, api_call&, responder);  // operators only
void enabling_request_refuse(service&, api_call&, responder);   // operators only
void partner_api_key_create(service&, api_call&, responder);
void partner_api_key_revoke(service&, api_call&, responder);
void product_create(service&, api_call&, responder);
void product_list(service&, api_call&, responder);
void product_get(service&, api_call&, responder);
void product_update(service&, api_call&, responder);
void audit_list(service&, api_call&, responder);
void keys_get(service&, api_call&, responder);
void keys_rotate(service&, api_call&, responder);
void keys_revoke(service&, api_call&, responder);
void test_clock_set(service&, api_call&, responder);
// people, invitations and sessions
void user_invite(service&, api_call&, responder);
void user_list(service&, api_call&, responder);
void user_get(service&, api_call&, responder);
void user_update(service&, api_call&, responder);
void invitation_accept(service&, api_call&, responder);
void session_sign_in(service&, api_call&, responder);
void session_current(service&, api_call&, responder);
void session_sign_out(service&, api_call&, responder);
void session_list(service&, api_call&, responder);
void session_revoke(service&, api_call&, responder);
void me_get(service&, api_call&, responder);
void me_password_change(service&, api_call&, responder);
void password_reset_issue(service&, api_call&, responder);
void password_reset_accept(service&, api_call&, responder);
// a person's second factor and their organisation's sign-in policy
void me_totp_start(service&, api_call&, responder);
void me_totp_confirm(service&, api_call&, responder);
void me_totp_disable(service&, api_call&, responder);
void organisation_security_get(service&, api_call&, responder);
void organisation_security_update(service&, api_call&, responder);
// an organisation's own API keys (operators' and partners')
void api_key_create(service&, api_call&, responder);
void api_key_list(service&, api_call&, responder);
void api_key_revoke(service&, api_call&, responder);
// partners (and operators on a partner's behalf)
void customer_create(service&, api_call&, responder);
void customer_list(service&, api_call&, responder);
void customer_get(service&, api_call&, responder);
void customer_update(service&, api_call&, responder);
void customer_delete(service&, api_call&, responder);    // operators only
void customer_reassign(service&, api_call&, responder);  // operators only
void license_issue(service&, api_call&, responder);
void license_list(service&, api_call&, responder);
void license_get(service&, api_call&, responder);
void license_update(service&, api_call&, responder);  // operators only
void license_token_get(service&, api_call&, responder);
void license_suspend(service&, api_call&, responder);
void license_reinstate(service&, api_call&, responder);
void license_revoke(service&, api_call&, responder);
void license_unlink(service&, api_call&, responder);
void license_transfer(service&, api_call&, responder);
void license_delete(service&, api_call&, responder);
void usage_get(service&, api_call&, responder);
// imports (import_routes.cpp)
void import_post(service&, api_call&, responder);
// CSV exports of the filtered listings (export_routes.cpp)
void license_export(service&, api_call&, responder);
void ledger_export(service&, api_call&, responder);
void customer_export(service&, api_call&, responder);

// campaigns (campaign_routes.cpp): operators only
void campaign_create(service&, api_call&, responder);
void campaign_list(service&, api_call&, responder);
void campaign_get(service&, api_call&, responder);
void campaign_dry_run(service&, api_call&, responder);
void campaign_run(service&, api_call&, responder);

// the compliance sweep (compliance_routes.cpp)
void compliance_get(service&, api_call&, responder);            // operators only
void compliance_sweep_run(service&, api_call&, responder);      // operators only
void license_compliance_check(service&, api_call&, responder);
// subscriptions (subscription_routes.cpp)
void subscription_create(service&, api_call&, responder);
void license_seats_set(service&, api_call&, responder);
void member_add(service&, api_call&, responder);
void member_remove(service&, api_call&, responder);
void member_list(service&, api_call&, responder);
void license_upgrade(service&, api_call&, responder);
void scheduled_change_set(service&, api_call&, responder);
void scheduled_change_delete(service&, api_call&, responder);
void auto_renew_set(service&, api_call&, responder);
void subscription_cancel(service&, api_call&, responder);
void subscription_reactivate(service&, api_call&, responder);
void trial_convert(service&, api_call&, responder);
void license_ledger_list(service&, api_call&, responder);
void ledger_list(service&, api_call&, responder);
void license_delivery_get(service&, api_call&, responder);
void license_delivery_send(service&, api_call&, responder);

}  // namespace licensor::server
