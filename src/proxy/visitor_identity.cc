#include "proxy/visitor_identity.h"

#include "auth/identity.h"

namespace spacehub::proxy {

Result<service::Caller> TokenVisitorIdentity::Identify(const http::Request& req) {
  return identity_.Authenticate(req.Header("authorization"));
}

}  // namespace spacehub::proxy
