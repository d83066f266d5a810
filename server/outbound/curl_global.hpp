// libcurl's process-wide initialisation, shared by every client in outbound/.
#pragma once

namespace licensor::server {

/// Calls curl_global_init once per process, whichever client asks first. curl_global_init is
/// not thread-safe before libcurl 7.84, so it must run once, before any handle exists; one flag
/// for all clients keeps two of them from racing to it.
void curl_global_once();

}  // namespace licensor::server
