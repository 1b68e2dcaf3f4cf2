// tokenctl's commands: each takes the positional arguments after
// "<noun> <verb>" and returns the process exit code, printing JSON on success
// and one line on stderr on failure.
#pragma once

#include <string>
#include <vector>

namespace tokenctl {

using Args = std::vector<std::string>;

int ClientCommand(const std::string& verb, const Args& args);
int UserCommand(const std::string& verb, const Args& args);
int TokenCommand(const std::string& verb, const Args& args);
int KeysCommand(const std::string& verb, const Args& args);

}  // namespace tokenctl
