// Test helpers (Eventually, TempDirectory, clips, M3U8 parsing) are used by almost every test.
global using DaprVideo.Tests.TestSupport;
