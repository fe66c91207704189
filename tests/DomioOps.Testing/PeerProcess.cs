using System.Diagnostics;
using System.Text;

namespace DomioOps.Testing;

/// <summary>
/// A peer started as a real process for an interop test: output captured, waited on for a line that
/// says it is ready, and killed (whole tree) on dispose, so a failing test never leaves it running.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private PeerProcess(Process process)
    {
        this._process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far, one line per line.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/>; throws with a clear message when it cannot be started.</summary>
    public static PeerProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => peer.Append(e.Data);
        process.ErrorDataReceived += (_, e) => peer.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Peer '{fileName}' cannot be started ({e.Message}). Is it installed? See PEERS.md.", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Runs a command to completion and returns its output; throws with that output when it fails.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var peer = Start(fileName, arguments, workingDirectory);
        var exitCode = await peer.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' exited with {exitCode}:\n{peer.Output}");
        }

        return peer.Output;
    }

    /// <summary>Waits until a line containing <paramref name="text"/> appears; throws with the output so far on timeout or exit.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _waiters.Add((text, seen));
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (first == seen.Task)
        {
            return;
        }

        // Output may still be draining after an exit.
        await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
        if (seen.Task.IsCompleted)
        {
            return;
        }

        var why = _process.HasExited ? $"exited with {_process.ExitCode}" : $"did not print it within {timeout}";
        throw new TimeoutException($"Peer {_process.StartInfo.FileName} {why} while waiting for '{text}'. Output:\n{Output}");
    }

    /// <summary>Waits for the process to exit and returns its exit code; kills it and throws on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Peer {_process.StartInfo.FileName} did not exit within {timeout}. Output:\n{Output}");
        }

        // The parameterless overload also waits for the redirected output to drain.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _output.AppendLine(line);
            var all = _output.ToString();
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (all.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    done.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var seen in done)
        {
            seen.TrySetResult();
        }
    }
}
