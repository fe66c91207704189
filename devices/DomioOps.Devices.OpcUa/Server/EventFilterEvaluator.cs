using System.Globalization;

using DomioOps.Devices.OpcUa.Services;

namespace DomioOps.Devices.OpcUa.Server;

/// <summary>
/// Applies an EventFilter (OPC 10000-4 §7.22.3) to a raised event: the where clause decides whether the item reports it,
/// the select clauses pick the fields. Where clauses support OfType, Equals, IsNull, GreaterThan, LessThan,
/// GreaterThanOrEqual, LessThanOrEqual, Not, And, Or and InList with SimpleAttribute, Literal and Element operands.
/// </summary>
internal static class EventFilterEvaluator
{
    private static readonly HashSet<FilterOperator> Supported =
    [
        FilterOperator.OfType, FilterOperator.Equals, FilterOperator.IsNull, FilterOperator.GreaterThan, FilterOperator.LessThan,
        FilterOperator.GreaterThanOrEqual, FilterOperator.LessThanOrEqual, FilterOperator.Not, FilterOperator.And, FilterOperator.Or,
        FilterOperator.InList,
    ];

    /// <summary>Checks a filter when the monitored item is created; Good, or the status the item fails with.</summary>
    public static StatusCode Validate(EventFilter filter)
    {
        if (filter.SelectClauses.Count == 0)
        {
            return StatusCode.BadMonitoredItemFilterInvalid;
        }

        var elements = filter.WhereClause?.Elements ?? [];
        foreach (var element in elements)
        {
            if (!Supported.Contains(element.FilterOperator))
            {
                return StatusCode.BadMonitoredItemFilterUnsupported;
            }

            foreach (var operand in element.FilterOperands)
            {
                var valid = operand switch
                {
                    SimpleAttributeOperand or LiteralOperand => true,
                    ElementOperand e => e.Index < elements.Count,
                    _ => false,
                };
                if (!valid)
                {
                    return StatusCode.BadMonitoredItemFilterUnsupported;
                }
            }

            if (element.FilterOperator == FilterOperator.OfType && (element.FilterOperands.Count != 1 || element.FilterOperands[0] is not LiteralOperand { Value.Value: NodeId }))
            {
                return StatusCode.BadMonitoredItemFilterInvalid;
            }
        }

        return StatusCode.Good;
    }

    /// <summary>The selected fields when the event passes the where clause, else null.</summary>
    public static Variant[]? Apply(EventFilter filter, BaseEvent raised, DateTime receiveTime, AddressSpace space)
    {
        var elements = filter.WhereClause?.Elements ?? [];
        if (elements.Count > 0 && !IsTrue(Evaluate(elements, 0, raised, receiveTime, space, 0)))
        {
            return null;
        }

        return SelectFields(filter, raised, receiveTime, space);
    }

    /// <summary>The selected fields whatever the where clause says: RefreshStartEvent and RefreshEndEvent reach every event item (OPC 10000-9 §4.5).</summary>
    public static Variant[] SelectFields(EventFilter filter, BaseEvent raised, DateTime receiveTime, AddressSpace space)
    {
        var fields = new Variant[filter.SelectClauses.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = Select(filter.SelectClauses[i], raised, receiveTime, space);
        }

        return fields;
    }

    private static Variant Select(SimpleAttributeOperand operand, BaseEvent raised, DateTime receiveTime, AddressSpace space)
    {
        var typeMatches = operand.TypeDefinitionId.IsNull || operand.TypeDefinitionId == BaseEvent.BaseEventType || space.IsSubtypeOf(raised.EventType, operand.TypeDefinitionId);
        if (typeMatches && operand.AttributeId == AttributeId.NodeId && operand.BrowsePath.Count == 0)
        {
            // The ConditionId (OPC 10000-9 §5.5.2): the NodeId of the condition object itself.
            return raised.ConditionId is { } conditionId ? new Variant(conditionId) : Variant.Null;
        }

        if (!typeMatches || operand.AttributeId != AttributeId.Value)
        {
            return Variant.Null;
        }

        return raised.Field(operand.Path, receiveTime);
    }

    private static object? Evaluate(IReadOnlyList<ContentFilterElement> elements, int index, BaseEvent raised, DateTime receiveTime, AddressSpace space, int depth)
    {
        if (depth > elements.Count)
        {
            return null; // an element operand cycle
        }

        var element = elements[index];
        object? Operand(int i) => element.FilterOperands[i] switch
        {
            ElementOperand e => Evaluate(elements, (int)e.Index, raised, receiveTime, space, depth + 1),
            LiteralOperand l => l.Value.Value,
            SimpleAttributeOperand s => Select(s, raised, receiveTime, space).Value,
            _ => null,
        };

        var count = element.FilterOperands.Count;
        return element.FilterOperator switch
        {
            FilterOperator.OfType => Operand(0) is NodeId type && space.IsSubtypeOf(raised.EventType, type),
            FilterOperator.IsNull => count == 1 && Operand(0) is null,
            FilterOperator.Not => count == 1 && !IsTrue(Operand(0)),
            FilterOperator.And => count == 2 && IsTrue(Operand(0)) && IsTrue(Operand(1)),
            FilterOperator.Or => count == 2 && (IsTrue(Operand(0)) || IsTrue(Operand(1))),
            FilterOperator.Equals => count == 2 && Compare(Operand(0), Operand(1)) == 0,
            FilterOperator.GreaterThan => count == 2 && Compare(Operand(0), Operand(1)) > 0,
            FilterOperator.LessThan => count == 2 && Compare(Operand(0), Operand(1)) is < 0 and not int.MinValue,
            FilterOperator.GreaterThanOrEqual => count == 2 && Compare(Operand(0), Operand(1)) >= 0,
            FilterOperator.LessThanOrEqual => count == 2 && Compare(Operand(0), Operand(1)) is <= 0 and not int.MinValue,
            FilterOperator.InList => count >= 2 && Enumerable.Range(1, count - 1).Any(i => Compare(Operand(0), Operand(i)) == 0),
            _ => null,
        };
    }

    private static bool IsTrue(object? value) => value is true;

    /// <summary>Orders two operands: numbers by value, other values by equality only; int.MinValue when incomparable.</summary>
    private static int Compare(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return int.MinValue;
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture));
        }

        if (left is string a && right is string b)
        {
            return string.CompareOrdinal(a, b);
        }

        if (left is LocalizedText text && right is string s)
        {
            return string.Equals(text.Text, s, StringComparison.Ordinal) ? 0 : int.MinValue;
        }

        return left.Equals(right) ? 0 : int.MinValue;
    }

    private static bool IsNumber(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double;
}
