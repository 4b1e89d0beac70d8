using DaprVideo.Core.Video;
using DaprVideo.Embedded.Commands;
using DaprVideo.Settings;

namespace DaprVideo.Embedded.Cli;

/// <summary>Dispatches the sub-commands and turns every failure into one line on stderr.</summary>
public static class CommandLine
{
    private const string Usage = """
        usage: daprvideo <command> ...
          detect <image> [--threshold T]     print detections in an image as JSON
          process <source> --out <dir> [--id <id>]
                                             annotate a file, URL or testsrc:duration=S into HLS
          serve [--port 8080] [--data dir] [--media dir] [--demo]
                                             HTTP API, HLS and the viewer; --demo streams a sample clip
        process and serve take --detector tfserving --tf-serving-url grpc://host:8500 to use a
        TF Serving-compatible model server instead of the in-process model.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null,
        bool interactive = false, CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        // `daprvideo process --help` is a question too, not a --help option missing its value.
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help" || args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var rest = new CommandArguments(args.Skip(1), new HashSet<string> { "demo" });
            var env = new SettingsReader(environment);
            return args[0] switch
            {
                "detect" => await DetectCommand.RunAsync(rest, DetectorSettings.From(env), stdout),
                "process" => await ProcessCommand.RunAsync(rest, PipelineSettings.From(env), env, stdout, stderr, interactive, cancellationToken),
                "serve" => await ServeCommand.RunAsync(rest, PipelineSettings.From(env), env, stdout, cancellationToken),
                _ => throw new UsageException($"Unknown command '{args[0]}'. Run 'daprvideo --help'."),
            };
        }
        catch (Exception e) when (e is UsageException or SettingsException or InvalidDataException or FileNotFoundException or MediaException)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("error: cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            // Unexpected: still one line, with the type to help a bug report.
            await stderr.WriteLineAsync($"error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}
