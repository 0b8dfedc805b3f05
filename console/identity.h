// Who a browser user is: the principal of the client certificate the
// browser presented on the TLS connection, mapped as the services map
// theirs (core/rpc/rpc_util.h PrincipalOf: the subject common name of a
// certificate that verified against the CA). The console then acts for that
// principal (docs/api.md, "Acting for a user"); whether it may do anything
// is the services' decision, not the console's.
#ifndef DISCLOSURE_CONSOLE_IDENTITY_H_
#define DISCLOSURE_CONSOLE_IDENTITY_H_

#include <openssl/ssl.h>

#include <string>

namespace disclosure::console {

// "" when the connection carries no client certificate, or one that did not
// verify. Thread-safe (reads the connection's own state).
std::string PrincipalOfConnection(const SSL* ssl);

}  // namespace disclosure::console

#endif  // DISCLOSURE_CONSOLE_IDENTITY_H_
