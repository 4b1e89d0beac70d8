using DaprVideo.DaprAdapters;
using DaprVideo.Embedded.Cli;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using DaprVideo.Tests.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprVideo.Tests.Settings;

/// <summary>LOG_LEVEL: our lines at that level, ASP.NET Core's per-request lines only at Debug, in every host.</summary>
public sealed class LogLevelTests
{
    private const string RequestLines = "Microsoft.AspNetCore.Hosting.Diagnostics";
    private const string Routing = "Microsoft.AspNetCore.Routing.EndpointMiddleware";
    private const string Lifetime = "Microsoft.Hosting.Lifetime";
    private const string Ours = "DaprVideo.Ingest.StreamCaptures";

    private static ILoggerFactory Factory(LogLevel level) =>
        new ServiceCollection().AddLogging(b => b.AddProvider(new EveryLineProvider()).AddDaprVideoLogLevels(level))
            .BuildServiceProvider().GetRequiredService<ILoggerFactory>();

    /// <summary>A provider that would write every line, so IsEnabled shows only what the filter rules let through.</summary>
    private sealed class EveryLineProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void At_information_only_our_lines_lifecycle_and_warnings_show()
    {
        var factory = Factory(LogLevel.Information);
        Assert.True(factory.CreateLogger(Ours).IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger(Ours).IsEnabled(LogLevel.Debug));
        Assert.True(factory.CreateLogger(Lifetime).IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger(Routing).IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger(RequestLines).IsEnabled(LogLevel.Warning));
        Assert.False(factory.CreateLogger("System.Net.Http.HttpClient.dapr.LogicalHandler").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void At_debug_the_per_request_lines_show_too()
    {
        var factory = Factory(LogLevel.Debug);
        Assert.True(factory.CreateLogger(Ours).IsEnabled(LogLevel.Debug));
        Assert.True(factory.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger(Ours).IsEnabled(LogLevel.Trace));
    }

    [Fact]
    public void At_warning_our_information_lines_are_quiet_but_the_lifecycle_stays()
    {
        var factory = Factory(LogLevel.Warning);
        Assert.False(factory.CreateLogger(Ours).IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger(Ours).IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger(Lifetime).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task The_embedded_serve_host_applies_the_rule()
    {
        await using var host = await ServeHost.StartAsync();
        var factory = host.App.Services.GetRequiredService<ILoggerFactory>();
        Assert.False(factory.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger(Ours).IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger(Lifetime).IsEnabled(LogLevel.Information));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Debug", true)]
    public async Task A_distributed_host_applies_the_rule(string? level, bool requestLines)
    {
        await using var app = DistributedHost.Build([], 0, _ => { }, _ => { },
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["LOG_LEVEL"] = level, ["urls"] = "http://127.0.0.1:0" }));
        var factory = app.Services.GetRequiredService<ILoggerFactory>();
        Assert.Equal(requestLines, factory.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger(Ours).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void A_distributed_host_stops_on_a_bad_level_naming_the_variable()
    {
        var ex = Assert.Throws<SettingsException>(() => DistributedHost.Build([], 0, _ => { }, _ => { },
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["LOG_LEVEL"] = "Loud" })));
        Assert.Equal("LOG_LEVEL", ex.Variable);
    }

    [Fact]
    public async Task Serve_stops_on_a_bad_level_with_one_line_and_exit_code_2()
    {
        using var tmp = new TempDirectory();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(["serve", "--port", "0", "--data", tmp.File("data")], stdout, stderr, n => n == "LOG_LEVEL" ? "Loud" : null);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: LOG_LEVEL: ", line, StringComparison.Ordinal);
    }
}
