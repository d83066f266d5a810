// Raw bytes off a connection, through the server's request_reader and Beast's parser, as a
// session reads them: byte 0 sets how many bytes each read returns (1-256, so requests arrive
// split anywhere), the rest is what the client sent (several pipelined requests, chunked
// bodies, trailers, extensions, lines that never end). Nothing may throw or crash; a request
// that is taken never has a body over the limit; the read buffer never grows past its limit.
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/read.hpp>

#include <cstdint>
#include <cstdlib>

#include "http/request_reader.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr int max_requests_per_connection = 64;

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const licensor::server::http_limits limits{};  // the server's defaults
  boost::asio::io_context io;
  beast::test::stream connection(io, beast::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  connection.read_size(static_cast<std::size_t>(data[0]) + 1);
  connection.close_remote();  // the client sent all it will: reads end with eof

  licensor::server::request_reader reader(limits);
  for (int served = 0; served < max_requests_per_connection; ++served) {
    beast::error_code ec;
    http::read_header(connection, reader.buffer(), reader.next(), ec);
    if (ec) return (void)licensor::server::read_error_response(ec), 0;
    if (reader.header_refusal()) return 0;  // answered 400, connection closed
    http::read(connection, reader.buffer(), reader.parser(), ec);
    if (ec) return (void)licensor::server::read_error_response(ec), 0;
    const auto received = reader.take("fuzz");
    require(received.request.body.size() <= limits.body_bytes);
    require(reader.buffer().size() <= licensor::server::read_buffer_limit(limits));
    if (!received.keep_alive) return 0;
  }
  return 0;
}
