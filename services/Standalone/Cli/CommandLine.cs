using DaprVideo.Standalone.Commands;

namespace DaprVideo.Standalone.Cli;

/// <summary>Dispatches the sub-commands and turns every failure into one line on stderr.</summary>
public static class CommandLine
{
    private const string Usage = """
        usage: daprvideo <command> ...
          detect <image> [--threshold T]     print detections in an image as JSON
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var rest = new CommandArguments(args.Skip(1), new HashSet<string>());
            return args[0] switch
            {
                "detect" => await DetectCommand.RunAsync(rest, DetectorSettings.FromEnvironment(environment), stdout),
                _ => throw new UsageException($"Unknown command '{args[0]}'. Run 'daprvideo --help'."),
            };
        }
        catch (Exception e) when (e is UsageException or InvalidDataException or FileNotFoundException)
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
