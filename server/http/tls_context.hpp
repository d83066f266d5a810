// What a tls_context holds: the Asio SSL context. Internal to http/ (its users see only the
// name in tls.hpp), so Boost and OpenSSL stay private to this layer.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include "http/tls.hpp"

namespace licensor::server {

struct tls_context {
  boost::asio::ssl::context context{boost::asio::ssl::context::tls_server};
};

}  // namespace licensor::server
