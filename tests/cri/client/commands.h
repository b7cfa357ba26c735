// mogu-cri's subcommands, one per crictl verb it mirrors. Each takes the words after its name.
#pragma once

#include "tests/cri/client/connection.h"

#include <string>
#include <vector>

namespace mogu::cri {

using Words = std::vector<std::string>;

// Takes "--name VALUE" out of WORDS when present; "" when absent.
std::string take_flag(Words& words, const std::string& name);
// Exactly N positional words left, else a usage error naming the verb.
void expect_words(const Words& words, size_t n, const char* usage);

// commands_runtime.cpp
int cmd_version(Connection&, Words);
int cmd_info(Connection&, Words);
int cmd_images(Connection&, Words);
int cmd_inspecti(Connection&, Words);
// commands_pod.cpp
int cmd_runp(Connection&, Words);
int cmd_stopp(Connection&, Words);
int cmd_rmp(Connection&, Words);
int cmd_inspectp(Connection&, Words);
int cmd_pods(Connection&, Words);
// commands_container.cpp
int cmd_create(Connection&, Words);
int cmd_start(Connection&, Words);
int cmd_stop(Connection&, Words);
int cmd_rm(Connection&, Words);
int cmd_inspect(Connection&, Words);
int cmd_ps(Connection&, Words);
int cmd_stats(Connection&, Words);
// commands_exec.cpp
int cmd_exec(Connection&, Words);
// commands_update.cpp
int cmd_update(Connection&, Words);
int cmd_reopenlog(Connection&, Words);
// commands_stream.cpp
int cmd_exec_url(Connection&, Words);
int cmd_attach_url(Connection&, Words);

}  // namespace mogu::cri
