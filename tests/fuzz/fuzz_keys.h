// Fixed signing keys for the JWT harness and its seed corpus (tests/fuzz
// only: generated once with `openssl genpkey`, never used anywhere else).
// PKCS#8 DER, base64.
#pragma once

#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "services/jwt/key_material.h"

namespace tokend::fuzz {

inline constexpr char kEs256Pkcs8[] =
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpBNvqKgu1Yw6vrhOvKk0CN5HoZm6tc7odOIpONazqV+h"
    "RANCAARAoxpyUnGmnAqe9ExwRwJGP6nQYoedaV4cNUO+24P1uc09OyVRwJk2IFmENeqq+SJc5H6sYtOqB0hHHECHpQTo"
    ;
inline constexpr char kEd25519Pkcs8[] = "MC4CAQAwBQYDK2VwBCIEIKbmWT+lpd/90baRuZFndJ3dMx3Bj6y4gg7ixsWWraLW";
inline constexpr char kRs256Pkcs8[] =
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCUuyo/P7N5XXTfXYAPT4fjphGkbYtY+pjG6eAiUCaH"
    "3weaOyAuR91DJ2AbWreuas9Y6ncynGoaMp/Z9iaW3SySL4pDC98Z9CqFxh9/poWPlSFdx7H34Oxlk3DPNzFzIV+Mgara"
    "ke9UklIfu+/jhDVRoj21qUMA6ABUtUmGMnfKnDl09l7TWU20ZxgvQTXlPKXHHNUNq4f2v8fAJzytPl8TTPBtsWmqg3JO"
    "XYfl0YdDd5VYDqu2qiaBBmaUObfLly3xDNXyNZHJliAaCFbSHrN1DGVhpAJX6mHVfceonkQnFB9rnLb1Yswh+e2aojEQ"
    "lhWULuw7CHAwR63wc31CsRlbAgMBAAECggEACxpn3n3ma5aG/Y/Q2hPBXMTOh1xoLTXUBvF5uoYKQlVrj19/mQTjZzp+"
    "ybv9f2dY4FXsnRohL6B833wpSFTtmWI0K6ostxbLv93ZByIK0Xu8GHCqgAtKCpE1uDpyFhq1M9uQQi3n1IPx3o2crHr3"
    "sgbvHWsr5drr/2bjPMHywGzJEmE4M4e+Zxp6SNThffaUZbtlG+hrGfgACZu2WN0vK96RUUtHGDyntSBEGCUfRIkEsTuF"
    "awab6VZfyga4GovubIaShrEIG6wo0wZCBuBUaTPyARYHvzQu0uks7g/A4L/StO+Vu+LboFowGIwAYG3ErenD379C/3bw"
    "liJ3752WDQKBgQDLf6Mg7S7vAdsbFj1ileT+P0NFzJm1p5m0pOX5bQS0J8UGrwTAApNxG7obLGlZ9UNGG9KXC/Wzc8P8"
    "APc9D7VEun0ECKS/KP8rgCZpjJak5P5e5WtgLUASibUzdXNY2XgdASI3lhZPwlFqM60+l7SHt9NM7UrHcDtNjIKZpKiA"
    "tQKBgQC7GlRw5yLqx4kQd8sCfTOVaO/HpQj6ZWGsJsDcCS2AECVZYy3ilbchXOsZMSriAGiEl/my18FZzstsM9g6C9v/"
    "81m9SFK/6RJqnEkBHzX/C/EUKqUPQIO+qjQ4QKG56IHMArPqU3fw6qSk2gpg1EkFafPEsHHhOSGyP7qtP0xLzwKBgC8k"
    "PFgOWgcIOQfHWSUTcF7trNnokdshHlxYruXfOW26oMvxk3ofnqRfNffBjA5I4PLG0zwmix6tPMOOPbgpgWaQhRGAJxoZ"
    "lzMulrdw2B0O51Z4cy1ujh89Q3rORJBaoJangpO58yU68L1Xh1SutCWUkiCJ//6/ox1N5ZtOJ7LZAoGATTPmF9gnvjyr"
    "P9JOQC6tND9igTyF4dwnW0N6XNCkp60B3EpiSpaARBH1KCXzjeGhPuT+sV75dzcvFOynkfwGwSwGoWXQT0O6x6bJMN9S"
    "BnVE+o9GIG78bZYJihSRJwbbV/TdjBj46r3HRgZ6Nc4ie0tmvIgZ1Vcfok9NleMCdl0CgYEApdn6936B/Vlxlr+sEvpb"
    "E5Zgj8470GXrDkdSdmfPSwo2BwH4vbeQcLoLjWUpC+Zl+6LcZOOQd9tM69xDqMJF7xJCiQlIE1C/DLDBYMUkIWNcG+Yo"
    "zGolzSguqIBl1UBNzpeTVwg68DveBzAtHK3YkTGWGPvztq103/xhAzMVHmU="
    ;

// The three keys with kids "es", "ed" and "rs" (private: they sign and
// verify). Aborts if OpenSSL refuses one.
inline std::vector<jwt::JwtKey> FuzzKeys() {
  std::vector<jwt::JwtKey> keys;
  for (auto [kid, alg, b64] : {std::tuple{"es", jwt::Algorithm::kES256, kEs256Pkcs8},
                               std::tuple{"ed", jwt::Algorithm::kEdDSA, kEd25519Pkcs8},
                               std::tuple{"rs", jwt::Algorithm::kRS256, kRs256Pkcs8}}) {
    std::string der;
    if (!absl::Base64Unescape(b64, &der)) std::abort();
    auto key = jwt::PrivateKeyFromDer(der);
    if (!key.ok()) std::abort();
    keys.push_back({kid, alg, *key});
  }
  return keys;
}

}  // namespace tokend::fuzz
