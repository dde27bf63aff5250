//===- AtomicFileTest.cpp - all-or-nothing output files -------------------===//

#include "dq/Support/AtomicFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <set>
#include <string>

#ifdef __linux__
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace dq;

namespace {

/// A fresh empty directory, removed with its files at the end of the test.
class AtomicFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dq-atomic", Dir));
  }
  void TearDown() override {
    for (const std::string &Name : list())
      llvm::sys::fs::remove(path(Name));
    llvm::sys::fs::remove(Dir);
  }
  std::string path(llvm::StringRef Name) const {
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  std::set<std::string> list() const {
    std::set<std::string> Names;
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
         It.increment(EC))
      Names.insert(std::string(llvm::sys::path::filename(It->path())));
    return Names;
  }
  std::string read(llvm::StringRef Name) const {
    auto Buffer = llvm::MemoryBuffer::getFile(path(Name));
    return Buffer ? std::string((*Buffer)->getBuffer()) : "<unreadable>";
  }
  llvm::SmallString<256> Dir;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  std::string Out = path("out.bin");
  ASSERT_FALSE(writeFileAtomically(Out, [](llvm::raw_ostream &OS) {
    OS << "first";
    return llvm::Error::success();
  }));
  EXPECT_EQ(read("out.bin"), "first");
  ASSERT_FALSE(writeFileAtomically(Out, [](llvm::raw_ostream &OS) {
    OS << "second";
    return llvm::Error::success();
  }));
  EXPECT_EQ(read("out.bin"), "second");
  EXPECT_EQ(list(), std::set<std::string>{"out.bin"});
}

TEST_F(AtomicFileTest, FailedWriteLeavesTargetAndNoTemporary) {
  std::string Out = path("out.bin");
  ASSERT_FALSE(writeFileAtomically(Out, [](llvm::raw_ostream &OS) {
    OS << "kept";
    return llvm::Error::success();
  }));
  llvm::Error E = writeFileAtomically(Out, [](llvm::raw_ostream &OS) {
    OS << "partial";
    return llvm::createStringError("refused halfway");
  });
  EXPECT_EQ(llvm::toString(std::move(E)), "refused halfway");
  EXPECT_EQ(read("out.bin"), "kept");
  EXPECT_EQ(list(), std::set<std::string>{"out.bin"});
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnError) {
  std::string Out = path("missing/out.bin");
  llvm::Error E = writeFileAtomically(Out, [](llvm::raw_ostream &OS) {
    OS << "x";
    return llvm::Error::success();
  });
  std::string Msg = llvm::toString(std::move(E));
  EXPECT_NE(Msg.find("cannot write '" + Out +
                     "': cannot create a temporary file: No such file"),
            std::string::npos)
      << Msg;
  EXPECT_TRUE(list().empty());
}

#if defined(__linux__) && defined(O_TMPFILE)
// While Write runs, the data has no name in the directory: a process killed
// at that point (even by SIGKILL) leaves nothing behind.
TEST_F(AtomicFileTest, DataHasNoNameWhileBeingWritten) {
  int Probe = ::open(Dir.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (Probe < 0)
    GTEST_SKIP() << "the file system of " << Dir.str().str()
                 << " has no O_TMPFILE";
  ::close(Probe);
  std::set<std::string> During;
  ASSERT_FALSE(writeFileAtomically(path("out.bin"), [&](llvm::raw_ostream &OS) {
    OS << std::string(1 << 20, 'x');
    OS.flush();
    During = list();
    return llvm::Error::success();
  }));
  EXPECT_TRUE(During.empty());
  EXPECT_EQ(list(), std::set<std::string>{"out.bin"});
  EXPECT_EQ(read("out.bin").size(), size_t(1) << 20);
}
#endif

} // namespace
