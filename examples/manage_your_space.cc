// The "Manage your Space" guide (huggingface_hub docs), steps 1–6, with the spacehub C++ client.
//
//   HF_ENDPOINT=http://127.0.0.1:8080 HF_TOKEN=hf_… manage_your_space <namespace/space>
//       [folder to upload] [hardware flavor]
//
// Without a folder it uploads a generated app.py. The flavor defaults to t4-medium as in the guide
// (on spacehub the administrator grants flavors: `spacehub admin hardware grant <user> <flavor>`).
// Exits non-zero with the error's message on any failure.
#include <spacehub/hub_client.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace sc = spacehub::client;

namespace {

void Show(const char* step, const sc::SpaceRuntime& rt) {
  std::cout << step << ": stage=" << rt.stage_name << " hardware=" << rt.hardware.value_or("-")
            << " requested=" << rt.requested_hardware.value_or("-") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: manage_your_space <namespace/space> [folder] [hardware]\n";
    return 2;
  }
  const std::string repo_id = argv[1];
  std::string folder = argc > 2 ? argv[2] : "";
  const std::string flavor = argc > 3 ? argv[3] : sc::hardware::kT4Medium;
  try {
    sc::HubClient api;  // HF_ENDPOINT, HF_TOKEN, HF_HOME from the environment

    // 1. Create a Space on the Hub (gradio SDK).
    sc::CreateRepoOptions create;
    create.type = sc::RepoType::kSpace;
    create.space_sdk = "gradio";
    create.exist_ok = true;
    std::cout << "1. created " << api.CreateRepo(repo_id, create) << "\n";

    // 2. Upload your code (the folder src/ in the guide).
    if (folder.empty()) {
      folder = (std::filesystem::temp_directory_path() / "manage_your_space_src").string();
      std::filesystem::create_directories(folder);
      std::ofstream(folder + "/app.py") << "print('hello from a C++-managed Space')\n";
    }
    sc::CommitInfo commit = api.UploadFolder(repo_id, sc::RepoType::kSpace, folder);
    std::cout << "2. uploaded " << commit.commit_url << "\n";

    // 1 (bis). Duplicate the Space (here our own one, into <name>-copy).
    sc::DuplicateSpaceOptions dup;
    dup.to_id = repo_id + "-copy";
    dup.exist_ok = true;
    std::cout << "1bis. duplicated to " << api.DuplicateSpace(repo_id, dup) << "\n";

    // 3. Configure secrets and variables, then delete them again.
    api.AddSpaceSecret(repo_id, "HF_TOKEN", "hf_api_example");
    api.AddSpaceVariable(repo_id, "MODEL_REPO_ID", "user/repo");
    std::cout << "3. variables: " << api.GetSpaceVariables(repo_id).size() << "\n";
    api.DeleteSpaceSecret(repo_id, "HF_TOKEN");
    api.DeleteSpaceVariable(repo_id, "MODEL_REPO_ID");

    // 4. Configure the hardware and check the runtime.
    api.RequestSpaceHardware(repo_id, flavor);
    Show("4. runtime", api.GetSpaceRuntime(repo_id));

    // 5. Pause and restart; sleep after 1 h of inactivity.
    Show("5. paused", api.PauseSpace(repo_id));
    Show("5. restarted", api.RestartSpace(repo_id));
    sc::SpaceRuntime slept = api.SetSpaceSleepTime(repo_id, 3600);
    std::cout << "5. sleep time " << slept.sleep_time.value_or(-1) << " s\n";

    // 6. Add persistent storage, then delete it.
    Show("6. storage", api.RequestSpaceStorage(repo_id, sc::SpaceStorage::kLarge));
    api.DeleteSpaceStorage(repo_id);
    std::cout << "6. storage deleted\n";
    return 0;
  } catch (const sc::HubError& e) {
    std::cerr << "manage_your_space: " << sc::ErrorKindName(e.kind()) << ": " << e.what() << "\n";
    return 1;
  }
}
