#include "server/tls.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace brook {
namespace {

namespace ssl = boost::asio::ssl;

constexpr unsigned char kH2[] = "h2";
constexpr unsigned char kHttp11[] = "http/1.1";

// Whether the client's ALPN list (length-prefixed names) offers `name`.
bool Offers(const unsigned char* in, unsigned int in_length,
            const unsigned char* name, unsigned char name_length) {
  for (unsigned int i = 0; i < in_length; i += 1 + in[i]) {
    if (in[i] == name_length && i + 1 + name_length <= in_length &&
        std::memcmp(in + i + 1, name, name_length) == 0) {
      return true;
    }
  }
  return false;
}

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_length,
               const unsigned char* in, unsigned int in_length, void*) {
  for (const auto& [name, length] :
       {std::pair<const unsigned char*, unsigned char>{kH2, 2}, {kHttp11, 8}}) {
    if (Offers(in, in_length, name, length)) {
      *out = name;
      *out_length = length;
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;  // Go on without ALPN; the server sniffs.
}

std::string PemOf(int (*write)(BIO*, void*), void* object) {
  BIO* bio = BIO_new(BIO_s_mem());
  absl::Cleanup free_bio = [bio] { BIO_free(bio); };
  if (write(bio, object) != 1) return "";
  char* data;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::Status AddSubjectAltNames(X509* certificate,
                                absl::string_view extra_host) {
  std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (!extra_host.empty()) {
    const bool is_ip =
        extra_host.find_first_not_of("0123456789.:") == absl::string_view::npos;
    absl::StrAppend(&names, is_ip ? ",IP:" : ",DNS:", extra_host);
  }
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(
      nullptr, &context, NID_subject_alt_name, names.c_str());
  if (extension == nullptr) {
    return InternalFailure("cannot make the certificate's subject names");
  }
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return InternalFailure("cannot add subject names");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<ssl::context>> MakeServerTlsContext(
    const TlsKeyPair& pair) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds |
                       ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  boost::system::error_code error;
  context->use_certificate_chain(
      boost::asio::buffer(pair.certificate_chain_pem), error);
  if (error) {
    return InvalidArgument(
        absl::StrCat("the TLS certificate does not parse: ", error.message()));
  }
  context->use_private_key(boost::asio::buffer(pair.private_key_pem),
                           ssl::context::pem, error);
  if (error) {
    return InvalidArgument(
        absl::StrCat("the TLS key does not parse: ", error.message()));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return InvalidArgument("the TLS key does not match the certificate");
  }
  SSL_CTX_set_alpn_select_cb(context->native_handle(), &SelectAlpn, nullptr);
  return context;
}

absl::StatusOr<TlsKeyPair> GenerateSelfSignedPair(
    absl::string_view extra_host) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return InternalFailure("cannot generate a TLS key");
  absl::Cleanup free_key = [key] { EVP_PKEY_free(key); };
  X509* certificate = X509_new();
  absl::Cleanup free_certificate = [certificate] { X509_free(certificate); };
  X509_set_version(certificate, 2);  // v3, for the extensions.
  ASN1_INTEGER_set(X509_get_serialNumber(certificate),
                   static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(certificate), -60);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 365L * 24 * 3600);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("brookd self-signed"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  if (absl::Status names = AddSubjectAltNames(certificate, extra_host);
      !names.ok()) {
    return names;
  }
  if (X509_sign(certificate, key, EVP_sha256()) == 0) {
    return InternalFailure("cannot sign the TLS certificate");
  }
  TlsKeyPair pair;
  pair.certificate_chain_pem = PemOf(
      [](BIO* bio, void* x) {
        return PEM_write_bio_X509(bio, static_cast<X509*>(x));
      },
      certificate);
  pair.private_key_pem = PemOf(
      [](BIO* bio, void* k) {
        return PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(k), nullptr,
                                        nullptr, 0, nullptr, nullptr);
      },
      key);
  if (pair.certificate_chain_pem.empty() || pair.private_key_pem.empty()) {
    return InternalFailure("cannot write the TLS pair as PEM");
  }
  return pair;
}

}  // namespace brook
