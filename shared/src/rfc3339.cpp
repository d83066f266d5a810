#include "licensor/rfc3339.hpp"

#include <chrono>
#include <cstdio>

namespace licensor {
namespace {

using namespace std::chrono;

bool read_digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool is_char(std::string_view text, std::size_t at, char lower, char upper = 0) {
  return at < text.size() && (text[at] == lower || (upper != 0 && text[at] == upper));
}

}  // namespace

std::string rfc3339_format(unix_seconds t) {
  const sys_seconds point{seconds{t}};
  const auto day = floor<days>(point);
  const year_month_day ymd{day};
  const hh_mm_ss time{point - day};
  const int year = static_cast<int>(ymd.year());
  const auto month = static_cast<unsigned>(ymd.month());
  const auto day_of_month = static_cast<unsigned>(ymd.day());
  const auto hours = static_cast<unsigned>(time.hours().count());
  const auto minutes = static_cast<unsigned>(time.minutes().count());
  const auto secs = static_cast<unsigned>(time.seconds().count());
  if (year < 0 || year > 9999) {  // not RFC 3339 any more; written as printf writes it
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02u:%02u:%02uZ", year, month, day_of_month, hours, minutes, secs);
    return buffer;
  }
  // Digit by digit: every view of a record shows its times, and snprintf was a third of
  // rendering a validation's answer.
  std::string out = "0000-00-00T00:00:00Z";
  const auto put = [&out](std::size_t at, unsigned value, std::size_t digits) {
    for (std::size_t i = digits; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  put(5, month, 2);
  put(8, day_of_month, 2);
  put(11, hours, 2);
  put(14, minutes, 2);
  put(17, secs, 2);
  return out;
}

result<unix_seconds> rfc3339_parse(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(text, 0, 4, y) || !is_char(text, 4, '-') || !read_digits(text, 5, 2, mo) ||
      !is_char(text, 7, '-') || !read_digits(text, 8, 2, d) || !is_char(text, 10, 'T', 't') ||
      !read_digits(text, 11, 2, h) || !is_char(text, 13, ':') || !read_digits(text, 14, 2, mi) ||
      !is_char(text, 16, ':') || !read_digits(text, 17, 2, s))
    return errc::malformed;
  std::size_t at = 19;
  if (is_char(text, at, '.')) {
    ++at;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == first) return errc::malformed;
  }
  int offset_seconds = 0;
  if (is_char(text, at, 'Z', 'z')) {
    ++at;
  } else if (is_char(text, at, '+') || is_char(text, at, '-')) {
    const int sign = text[at] == '+' ? 1 : -1;
    int oh = 0, om = 0;
    if (!read_digits(text, at + 1, 2, oh) || !is_char(text, at + 3, ':') ||
        !read_digits(text, at + 4, 2, om) || oh > 23 || om > 59)
      return errc::malformed;
    offset_seconds = sign * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return errc::malformed;
  }
  if (at != text.size()) return errc::malformed;

  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  // Leap seconds (60) are folded into the next second, as most systems do.
  if (y < 1970 || !ymd.ok() || h > 23 || mi > 59 || s > 60) return errc::malformed;
  const auto point = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} - seconds{offset_seconds};
  // The range is checked in UTC: an offset must not carry a time out of 1970..9999, where
  // rfc3339_format could not write it back (found by fuzz/rfc3339_fuzz.cpp).
  constexpr unix_seconds last_second = 253'402'300'799;  // 9999-12-31T23:59:59Z
  const auto t = static_cast<unix_seconds>(point.time_since_epoch().count());
  if (t < 0 || t > last_second) return errc::malformed;
  return t;
}

}  // namespace licensor
