namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// An alarm condition of the server (OPC 10000-9 §5.5 ConditionType, §5.7 AcknowledgeableConditionType, §5.8
/// AlarmConditionType), created by <see cref="OpcUaServer.AddCondition"/>. The application sets it active or inactive;
/// clients enable, disable, comment, acknowledge and confirm it through the Call service. Every state change reports
/// an event of <see cref="EventType"/> with a new EventId, the condition's fields (EnabledState, ActiveState, AckedState,
/// ConfirmedState, Retain, Comment, ...) and the ConditionId; only the current state is kept (no branches).
/// </summary>
public sealed class AlarmCondition
{
    private readonly Lock _gate = new();
    private readonly OpcUaServer _server;
    private bool _enabled = true;
    private bool _active;
    private bool _acked = true;
    private bool _confirmed = true;
    private LocalizedText _message = LocalizedText.Null;
    private ushort _severity;
    private ushort _lastSeverity;
    private LocalizedText _comment = LocalizedText.Null;
    private DateTime? _commentTime;
    private string? _clientUserId;
    private DateTime _time;
    private IReadOnlyDictionary<string, Variant> _fields = new Dictionary<string, Variant>();
    private BaseEvent? _last;

    internal AlarmCondition(OpcUaServer server, NodeId conditionId, NodeId sourceNode, string? sourceName, string conditionName, NodeId eventType, bool confirmable)
    {
        _server = server;
        ConditionId = conditionId;
        SourceNode = sourceNode;
        SourceName = sourceName;
        ConditionName = conditionName;
        EventType = eventType;
        Confirmable = confirmable;
    }

    /// <summary>The condition's NodeId: the ObjectId of Acknowledge, Confirm, AddComment, Enable and Disable.</summary>
    public NodeId ConditionId { get; }

    public NodeId SourceNode { get; }

    public string? SourceName { get; }

    public string ConditionName { get; }

    /// <summary>The condition's type, reported as EventType (AlarmConditionType or a subtype such as WwAlarmConditionType).</summary>
    public NodeId EventType { get; }

    /// <summary>Whether the condition has the optional ConfirmedState and Confirm method.</summary>
    public bool Confirmable { get; }

    public bool Enabled => Read(() => _enabled);

    public bool Active => Read(() => _active);

    public bool Acked => Read(() => _acked);

    public bool Confirmed => Read(() => _confirmed);

    /// <summary>Retain (OPC 10000-9 §5.5.2): enabled and active, unacknowledged or unconfirmed; what ConditionRefresh re-sends.</summary>
    public bool Retain => Read(RetainLocked);

    public LocalizedText Comment => Read(() => _comment);

    /// <summary>The EventId of the latest event reported for the condition; acknowledging names it.</summary>
    public byte[]? LastEventId => Read(() => _last?.EventId);

    /// <summary>
    /// Sets the alarm active or inactive with its message and severity; becoming active makes it unacknowledged again.
    /// <paramref name="fields"/> adds fields of the event type (e.g. MessageId of WwAlarmConditionType) to its events.
    /// A disabled condition changes state without reporting.
    /// </summary>
    public void SetActive(bool active, LocalizedText message, ushort severity, DateTime? time = null, IReadOnlyDictionary<string, Variant>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (active && !_active)
            {
                _acked = false;
                _confirmed = true;
            }

            _active = active;
            _lastSeverity = _severity;
            _severity = severity;
            _message = message;
            _time = time ?? Now;
            _fields = fields ?? _fields;
            if (_enabled)
            {
                Report();
            }
        }
    }

    /// <summary>Acknowledge (OPC 10000-9 §5.7.3) of the latest event.</summary>
    internal StatusCode Acknowledge(byte[]? eventId, LocalizedText? comment, string? user) => Change(eventId, comment, user, () =>
    {
        if (_acked)
        {
            return StatusCode.BadConditionBranchAlreadyAcked;
        }

        _acked = true;
        _confirmed = !Confirmable;
        return StatusCode.Good;
    });

    /// <summary>Confirm (OPC 10000-9 §5.7.4) of the latest event.</summary>
    internal StatusCode Confirm(byte[]? eventId, LocalizedText? comment, string? user) => !Confirmable ? StatusCode.BadMethodInvalid : Change(eventId, comment, user, () =>
    {
        if (_confirmed)
        {
            return StatusCode.BadConditionBranchAlreadyConfirmed;
        }

        _confirmed = true;
        return StatusCode.Good;
    });

    /// <summary>AddComment (OPC 10000-9 §5.5.6) to the latest event.</summary>
    internal StatusCode AddComment(byte[]? eventId, LocalizedText? comment, string? user) => Change(eventId, comment, user, () => StatusCode.Good);

    /// <summary>Enable or Disable (OPC 10000-9 §5.5.4, §5.5.5); both report the new EnabledState.</summary>
    internal StatusCode SetEnabled(bool enabled)
    {
        lock (_gate)
        {
            if (_enabled == enabled)
            {
                return enabled ? StatusCode.BadConditionAlreadyEnabled : StatusCode.BadConditionAlreadyDisabled;
            }

            _enabled = enabled;
            _time = Now;
            Report();
            return StatusCode.Good;
        }
    }

    /// <summary>The latest event when the condition is retained, for ConditionRefresh (same EventId: it is the current state).</summary>
    internal BaseEvent? Retained() => Read(() => RetainLocked() ? _last : null);

    private DateTime Now => _server.Time.GetUtcNow().UtcDateTime;

    private StatusCode Change(byte[]? eventId, LocalizedText? comment, string? user, Func<StatusCode> change)
    {
        lock (_gate)
        {
            if (!_enabled)
            {
                return StatusCode.BadConditionDisabled;
            }

            if (eventId is null || _last is null || !eventId.AsSpan().SequenceEqual(_last.EventId))
            {
                return StatusCode.BadEventIdUnknown;
            }

            var status = change();
            if (status.IsBad)
            {
                return status;
            }

            // A null comment (no locale, no text) leaves the previous one (OPC 10000-9 §5.5.6).
            if (comment is not null && (comment.Text is not null || comment.Locale is not null))
            {
                _comment = comment;
                _commentTime = Now;
            }

            _clientUserId = user;
            _time = Now;
            Report();
            return StatusCode.Good;
        }
    }

    private bool RetainLocked() => _enabled && (_active || !_acked || !_confirmed);

    /// <summary>Reports the current state as a new event (caller holds the lock, so events leave in state order).</summary>
    private void Report()
    {
        Dictionary<string, Variant> fields = new(_fields)
        {
            ["ConditionName"] = new Variant(ConditionName),
            ["BranchId"] = new Variant(NodeId.Null),
            ["Retain"] = new Variant(RetainLocked()),
            ["EnabledState"] = new Variant(new LocalizedText("en", _enabled ? "Enabled" : "Disabled")),
            ["EnabledState/Id"] = new Variant(_enabled),
            ["ActiveState"] = new Variant(new LocalizedText("en", _active ? "Active" : "Inactive")),
            ["ActiveState/Id"] = new Variant(_active),
            ["AckedState"] = new Variant(new LocalizedText("en", _acked ? "Acknowledged" : "Unacknowledged")),
            ["AckedState/Id"] = new Variant(_acked),
            ["Comment"] = new Variant(_comment),
            ["Comment/SourceTimestamp"] = _commentTime is { } at ? new Variant(at) : Variant.Null,
            ["ClientUserId"] = _clientUserId is null ? Variant.Null : new Variant(_clientUserId),
            ["LastSeverity"] = new Variant(_lastSeverity),
            ["Quality"] = new Variant(StatusCode.Good),
        };
        if (Confirmable)
        {
            fields["ConfirmedState"] = new Variant(new LocalizedText("en", _confirmed ? "Confirmed" : "Unconfirmed"));
            fields["ConfirmedState/Id"] = new Variant(_confirmed);
        }

        _last = new BaseEvent(SourceNode, SourceName, _message, _severity)
        {
            EventType = EventType,
            Time = _time,
            ConditionId = ConditionId,
            Fields = fields,
        };
        _server.RaiseEvent(_last);
    }

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
