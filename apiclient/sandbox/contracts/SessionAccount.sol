// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title SessionAccount
/// @notice The sandbox's own implementation of thirdweb's MinimalAccount
/// interface (same functions, events, custom errors, struct types and EIP-712
/// domain as the ABI in apiclient/account; behaviour the ABI does not fix is
/// described in docs/account.md). It runs as EIP-7702 delegated code on many
/// EOAs, so it has no constructor state and no immutables: it is placed in
/// genesis as runtime code, and all state lives in an ERC-7201 namespace of
/// the delegating EOA.
///
/// Session keys: the account owner signs a SessionSpec (EIP-712); anyone may
/// submit it with createSessionWithSig. The session's signer may then call
/// execute(calls) on the account, subject to the session's policies. Usage is
/// metered per grant (keyed by the grant's uid): a new grant to the same
/// signer replaces the old one and starts with fresh usage.
contract SessionAccount {
    // ------------------------------------------------------------------
    // Types (the tuple shapes of thirdweb's MinimalAccount ABI, see
    // apiclient/account/minimalaccount.abi.json)
    // ------------------------------------------------------------------

    /// limitType: 0 Unlimited, 1 Lifetime (cumulative cap), 2 Allowance
    /// (cap per window of `period` seconds, window id = block.timestamp / period).
    struct UsageLimit {
        uint8 limitType;
        uint256 limit;
        uint256 period;
    }

    /// condition: 0 Unconstrained, 1 Equal, 2 Greater, 3 Less,
    /// 4 GreaterOrEqual, 5 LessOrEqual, 6 NotEqual (unsigned comparison of
    /// the calldata word at 4 + 32*index against refValue).
    struct Constraint {
        uint8 condition;
        uint64 index;
        bytes32 refValue;
        UsageLimit limit;
    }

    struct CallSpec {
        address target;
        bytes4 selector;
        uint256 maxValuePerUse;
        UsageLimit valueLimit;
        Constraint[] constraints;
    }

    struct TransferSpec {
        address target;
        uint256 maxValuePerUse;
        UsageLimit valueLimit;
    }

    struct SessionSpec {
        address signer;
        bool isWildcard;
        uint256 expiresAt;
        CallSpec[] callPolicies;
        TransferSpec[] transferPolicies;
        bytes32 uid;
    }

    struct Call {
        address target;
        uint256 value;
        bytes data;
    }

    struct WrappedCalls {
        Call[] calls;
        bytes32 uid;
    }

    /// Remaining amount of one metered limit (limits of type Unlimited are
    /// not listed). For allowances: what is left in the current window.
    struct LimitState {
        uint256 remaining;
        address target;
        bytes4 selector;
        uint256 index;
    }

    struct SessionState {
        LimitState[] transferValue;
        LimitState[] callValue;
        LimitState[] callParams;
    }

    // ------------------------------------------------------------------
    // Errors and events
    // ------------------------------------------------------------------

    error SessionZeroSigner();
    error SessionExpiresTooSoon();
    error UIDAlreadyProcessed();
    error InvalidSignature(address msgSender, address thisAddress);
    error SessionExpired();
    error CallPolicyViolated(address target, bytes4 selector);
    error TransferPolicyViolated(address target);
    error MaxValueExceeded(uint256 value, uint256 maxValuePerUse);
    error LifetimeUsageExceeded(uint256 lifetimeUsage, uint256 limit);
    /// `period` is the id of the window that would be exceeded
    /// (block.timestamp / the limit's period), not the period's length.
    error AllowanceExceeded(uint256 allowanceUsage, uint256 limit, uint64 period);
    error InvalidDataLength(uint256 actualLength, uint256 expectedLength);
    error ConditionFailed(bytes32 param, bytes32 refValue, uint8 condition);
    error NoCallsToExecute();
    error CallReverted();

    /// user is the account (this address), newSigner the session key.
    event SessionCreated(address indexed user, address indexed newSigner, SessionSpec sessionSpec);
    /// After every successful execute/executeWithSig: user is the account,
    /// signer who authorised the batch (the session key, or the account
    /// itself for its own calls and executeWithSig), executor the caller.
    event Executed(address indexed user, address indexed signer, address indexed executor, uint256 batchSize);
    /// Value arriving by a plain transfer (receive()).
    event ValueReceived(address indexed user, address indexed from, uint256 value);

    // ------------------------------------------------------------------
    // Storage (ERC-7201)
    // ------------------------------------------------------------------

    struct Usage {
        uint256 used;
        uint256 window;
    }

    struct Grant {
        address signer;
        bool isWildcard;
        uint256 expiresAt;
        CallSpec[] callPolicies;
        TransferSpec[] transferPolicies;
    }

    /// @custom:storage-location erc7201:walletconsole.storage.SessionAccount
    struct Layout {
        mapping(bytes32 => bool) sessionUids; // grant uids ever accepted
        mapping(bytes32 => bool) executedUids; // executeWithSig uids
        mapping(address => bytes32) activeGrant; // signer => uid of its grant
        mapping(bytes32 => Grant) grants; // uid => grant
        mapping(bytes32 => mapping(uint256 => Usage)) usage; // uid => limit key => usage
    }

    // keccak256(abi.encode(uint256(keccak256("walletconsole.storage.SessionAccount")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LAYOUT_SLOT = 0x9a693dfb300fd05eaea7761474e2269b87a4027e3514a3f4ac2ed109529b6900;

    function _layout() private pure returns (Layout storage l) {
        bytes32 slot = LAYOUT_SLOT;
        assembly {
            l.slot := slot
        }
    }

    // limit keys inside a grant's usage map
    uint256 private constant KIND_CALL_VALUE = 1;
    uint256 private constant KIND_TRANSFER_VALUE = 2;
    uint256 private constant KIND_CALL_PARAM = 3;

    function _key(uint256 kind, uint256 i, uint256 j) private pure returns (uint256) {
        return (kind << 128) | (i << 64) | j;
    }

    // ------------------------------------------------------------------
    // EIP-712
    // ------------------------------------------------------------------

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("MinimalAccount");
    bytes32 private constant VERSION_HASH = keccak256("1");

    bytes32 private constant USAGE_LIMIT_TYPEHASH = keccak256("UsageLimit(uint8 limitType,uint256 limit,uint256 period)");
    bytes32 private constant CONSTRAINT_TYPEHASH = keccak256(
        "Constraint(uint8 condition,uint64 index,bytes32 refValue,UsageLimit limit)UsageLimit(uint8 limitType,uint256 limit,uint256 period)"
    );
    bytes32 private constant CALL_SPEC_TYPEHASH = keccak256(
        "CallSpec(address target,bytes4 selector,uint256 maxValuePerUse,UsageLimit valueLimit,Constraint[] constraints)Constraint(uint8 condition,uint64 index,bytes32 refValue,UsageLimit limit)UsageLimit(uint8 limitType,uint256 limit,uint256 period)"
    );
    bytes32 private constant TRANSFER_SPEC_TYPEHASH = keccak256(
        "TransferSpec(address target,uint256 maxValuePerUse,UsageLimit valueLimit)UsageLimit(uint8 limitType,uint256 limit,uint256 period)"
    );
    bytes32 private constant SESSION_SPEC_TYPEHASH = keccak256(
        "SessionSpec(address signer,bool isWildcard,uint256 expiresAt,CallSpec[] callPolicies,TransferSpec[] transferPolicies,bytes32 uid)CallSpec(address target,bytes4 selector,uint256 maxValuePerUse,UsageLimit valueLimit,Constraint[] constraints)Constraint(uint8 condition,uint64 index,bytes32 refValue,UsageLimit limit)TransferSpec(address target,uint256 maxValuePerUse,UsageLimit valueLimit)UsageLimit(uint8 limitType,uint256 limit,uint256 period)"
    );
    bytes32 private constant CALL_TYPEHASH = keccak256("Call(address target,uint256 value,bytes data)");
    bytes32 private constant WRAPPED_CALLS_TYPEHASH =
        keccak256("WrappedCalls(Call[] calls,bytes32 uid)Call(address target,uint256 value,bytes data)");

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function _hashTyped(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", _domainSeparator(), structHash));
    }

    function _hashUsage(UsageLimit calldata l) private pure returns (bytes32) {
        return keccak256(abi.encode(USAGE_LIMIT_TYPEHASH, l.limitType, l.limit, l.period));
    }

    function _hashCallSpec(CallSpec calldata c) private pure returns (bytes32) {
        bytes32[] memory hs = new bytes32[](c.constraints.length);
        for (uint256 i = 0; i < hs.length; i++) {
            Constraint calldata k = c.constraints[i];
            hs[i] = keccak256(abi.encode(CONSTRAINT_TYPEHASH, k.condition, k.index, k.refValue, _hashUsage(k.limit)));
        }
        return keccak256(
            abi.encode(
                CALL_SPEC_TYPEHASH,
                c.target,
                c.selector,
                c.maxValuePerUse,
                _hashUsage(c.valueLimit),
                keccak256(abi.encodePacked(hs))
            )
        );
    }

    function _hashSession(SessionSpec calldata s) private pure returns (bytes32) {
        bytes32[] memory ch = new bytes32[](s.callPolicies.length);
        for (uint256 i = 0; i < ch.length; i++) {
            ch[i] = _hashCallSpec(s.callPolicies[i]);
        }
        bytes32[] memory th = new bytes32[](s.transferPolicies.length);
        for (uint256 i = 0; i < th.length; i++) {
            TransferSpec calldata t = s.transferPolicies[i];
            th[i] = keccak256(abi.encode(TRANSFER_SPEC_TYPEHASH, t.target, t.maxValuePerUse, _hashUsage(t.valueLimit)));
        }
        return keccak256(
            abi.encode(
                SESSION_SPEC_TYPEHASH,
                s.signer,
                s.isWildcard,
                s.expiresAt,
                keccak256(abi.encodePacked(ch)),
                keccak256(abi.encodePacked(th)),
                s.uid
            )
        );
    }

    function _hashWrapped(WrappedCalls calldata w) private pure returns (bytes32) {
        bytes32[] memory hs = new bytes32[](w.calls.length);
        for (uint256 i = 0; i < hs.length; i++) {
            Call calldata c = w.calls[i];
            hs[i] = keccak256(abi.encode(CALL_TYPEHASH, c.target, c.value, keccak256(c.data)));
        }
        return keccak256(abi.encode(WRAPPED_CALLS_TYPEHASH, keccak256(abi.encodePacked(hs)), w.uid));
    }

    /// ecrecover of a 65-byte (r, s, v) signature; low-s only; 0 on failure.
    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address) {
        if (sig.length != 65) return address(0);
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// EIP-5267.
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", "MinimalAccount", "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // ------------------------------------------------------------------
    // Sessions
    // ------------------------------------------------------------------

    function createSessionWithSig(SessionSpec calldata sessionSpec, bytes calldata signature) external {
        if (sessionSpec.signer == address(0)) revert SessionZeroSigner();
        if (sessionSpec.expiresAt <= block.timestamp) revert SessionExpiresTooSoon();
        Layout storage L = _layout();
        if (L.sessionUids[sessionSpec.uid]) revert UIDAlreadyProcessed();
        if (_recover(_hashTyped(_hashSession(sessionSpec)), signature) != address(this)) {
            revert InvalidSignature(msg.sender, address(this));
        }

        L.sessionUids[sessionSpec.uid] = true;
        L.activeGrant[sessionSpec.signer] = sessionSpec.uid;
        Grant storage g = L.grants[sessionSpec.uid];
        g.signer = sessionSpec.signer;
        g.isWildcard = sessionSpec.isWildcard;
        g.expiresAt = sessionSpec.expiresAt;
        for (uint256 i = 0; i < sessionSpec.callPolicies.length; i++) {
            CallSpec calldata c = sessionSpec.callPolicies[i];
            CallSpec storage s = g.callPolicies.push();
            s.target = c.target;
            s.selector = c.selector;
            s.maxValuePerUse = c.maxValuePerUse;
            s.valueLimit = c.valueLimit;
            for (uint256 j = 0; j < c.constraints.length; j++) {
                s.constraints.push(c.constraints[j]);
            }
        }
        for (uint256 i = 0; i < sessionSpec.transferPolicies.length; i++) {
            g.transferPolicies.push(sessionSpec.transferPolicies[i]);
        }
        emit SessionCreated(address(this), sessionSpec.signer, sessionSpec);
    }

    /// The live grant of a signer, if any (a grant whose expiry has passed is
    /// still returned; callers check expiresAt).
    function _grantOf(address signer) private view returns (bytes32 uid, Grant storage g) {
        Layout storage L = _layout();
        uid = L.activeGrant[signer];
        g = L.grants[uid];
    }

    function _hasGrant(Grant storage g, address signer) private view returns (bool) {
        return g.signer == signer && signer != address(0);
    }

    // ------------------------------------------------------------------
    // Execution
    // ------------------------------------------------------------------

    function execute(Call[] calldata calls) external payable {
        if (calls.length == 0) revert NoCallsToExecute();
        if (msg.sender != address(this)) {
            _enforce(msg.sender, calls);
        }
        _run(calls);
        emit Executed(address(this), msg.sender, msg.sender, calls.length);
    }

    function executeWithSig(WrappedCalls calldata wrappedCalls, bytes calldata signature) external payable {
        if (wrappedCalls.calls.length == 0) revert NoCallsToExecute();
        Layout storage L = _layout();
        if (L.executedUids[wrappedCalls.uid]) revert UIDAlreadyProcessed();
        if (_recover(_hashTyped(_hashWrapped(wrappedCalls)), signature) != address(this)) {
            revert InvalidSignature(msg.sender, address(this));
        }
        L.executedUids[wrappedCalls.uid] = true;
        _run(wrappedCalls.calls);
        emit Executed(address(this), address(this), msg.sender, wrappedCalls.calls.length);
    }

    function _run(Call[] calldata calls) private {
        for (uint256 i = 0; i < calls.length; i++) {
            Call calldata c = calls[i];
            (bool ok, bytes memory ret) = c.target.call{value: c.value}(c.data);
            if (!ok) {
                if (ret.length > 0) {
                    // bubble up the inner revert (a token's error, a nested account's policy error)
                    assembly {
                        revert(add(ret, 32), mload(ret))
                    }
                }
                revert CallReverted();
            }
        }
    }

    function _enforce(address signer, Call[] calldata calls) private {
        (bytes32 uid, Grant storage g) = _grantOf(signer);
        if (!_hasGrant(g, signer) || block.timestamp >= g.expiresAt) revert SessionExpired();
        if (g.isWildcard) return;
        for (uint256 i = 0; i < calls.length; i++) {
            Call calldata c = calls[i];
            if (c.data.length >= 4) {
                _checkCall(uid, g, c);
            } else if (c.data.length == 0) {
                _checkTransfer(uid, g, c);
            } else {
                // 1-3 bytes: not a plain transfer (it runs the target's
                // code) and too short for a selector, so no policy can
                // allow it. Reported with the bytes, zero-padded.
                revert CallPolicyViolated(c.target, bytes4(c.data));
            }
        }
    }

    function _checkCall(bytes32 uid, Grant storage g, Call calldata c) private {
        bytes4 sel = bytes4(c.data[0:4]);
        uint256 n = g.callPolicies.length;
        uint256 i = 0;
        for (; i < n; i++) {
            CallSpec storage p = g.callPolicies[i];
            if (p.target == c.target && p.selector == sel) break;
        }
        if (i == n) revert CallPolicyViolated(c.target, sel);
        CallSpec storage spec = g.callPolicies[i];
        if (c.value > spec.maxValuePerUse) revert MaxValueExceeded(c.value, spec.maxValuePerUse);
        _meter(uid, _key(KIND_CALL_VALUE, i, 0), spec.valueLimit, c.value);
        uint256 m = spec.constraints.length;
        for (uint256 j = 0; j < m; j++) {
            Constraint storage k = spec.constraints[j];
            uint256 off = 4 + 32 * uint256(k.index);
            if (c.data.length < off + 32) revert InvalidDataLength(c.data.length, off + 32);
            bytes32 param = bytes32(c.data[off:off + 32]);
            if (!_holds(k.condition, uint256(param), uint256(k.refValue))) {
                revert ConditionFailed(param, k.refValue, k.condition);
            }
            _meter(uid, _key(KIND_CALL_PARAM, i, j), k.limit, uint256(param));
        }
    }

    function _checkTransfer(bytes32 uid, Grant storage g, Call calldata c) private {
        uint256 n = g.transferPolicies.length;
        uint256 i = 0;
        for (; i < n; i++) {
            if (g.transferPolicies[i].target == c.target) break;
        }
        if (i == n) revert TransferPolicyViolated(c.target);
        TransferSpec storage t = g.transferPolicies[i];
        if (c.value > t.maxValuePerUse) revert MaxValueExceeded(c.value, t.maxValuePerUse);
        _meter(uid, _key(KIND_TRANSFER_VALUE, i, 0), t.valueLimit, c.value);
    }

    function _holds(uint8 cond, uint256 a, uint256 b) private pure returns (bool) {
        if (cond == 0) return true;
        if (cond == 1) return a == b;
        if (cond == 2) return a > b;
        if (cond == 3) return a < b;
        if (cond == 4) return a >= b;
        if (cond == 5) return a <= b;
        if (cond == 6) return a != b;
        return false; // unknown condition: fail closed
    }

    function _window(UsageLimit storage l) private view returns (uint256) {
        uint256 period = l.period;
        return period == 0 ? 0 : block.timestamp / period;
    }

    /// Meters `amount` against a limit. Unknown limit types fail closed as
    /// lifetime caps.
    function _meter(bytes32 uid, uint256 key, UsageLimit storage l, uint256 amount) private {
        uint8 lt = l.limitType;
        if (lt == 0) return;
        Usage storage u = _layout().usage[uid][key];
        uint256 used = u.used;
        if (lt == 2) {
            uint256 w = _window(l);
            if (u.window != w) {
                u.window = w;
                used = 0;
            }
        }
        uint256 total = amount > type(uint256).max - used ? type(uint256).max : used + amount;
        uint256 limit = l.limit;
        if (total > limit) {
            if (lt == 2) revert AllowanceExceeded(total, limit, uint64(_window(l)));
            revert LifetimeUsageExceeded(total, limit);
        }
        u.used = total;
    }

    function _remaining(bytes32 uid, uint256 key, UsageLimit storage l) private view returns (uint256) {
        Usage storage u = _layout().usage[uid][key];
        uint256 used = u.used;
        if (l.limitType == 2 && u.window != _window(l)) used = 0;
        return used >= l.limit ? 0 : l.limit - used;
    }

    // ------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------

    function getCallPoliciesForSigner(address signer) external view returns (CallSpec[] memory) {
        (, Grant storage g) = _grantOf(signer);
        if (!_hasGrant(g, signer)) return new CallSpec[](0);
        return g.callPolicies;
    }

    function getTransferPoliciesForSigner(address signer) external view returns (TransferSpec[] memory) {
        (, Grant storage g) = _grantOf(signer);
        if (!_hasGrant(g, signer)) return new TransferSpec[](0);
        return g.transferPolicies;
    }

    function getSessionExpirationForSigner(address signer) external view returns (uint256) {
        (, Grant storage g) = _grantOf(signer);
        if (!_hasGrant(g, signer)) return 0;
        return g.expiresAt;
    }

    function isWildcardSigner(address signer) external view returns (bool) {
        (, Grant storage g) = _grantOf(signer);
        return _hasGrant(g, signer) && g.isWildcard;
    }

    /// Remaining amounts of every metered (non-Unlimited) limit of the
    /// signer's grant. `index` is the constrained argument's index for
    /// callParams entries and 0 for transferValue/callValue entries.
    function getSessionStateForSigner(address signer) external view returns (SessionState memory) {
        SessionState memory st;
        (bytes32 uid, Grant storage g) = _grantOf(signer);
        if (!_hasGrant(g, signer)) return st;

        uint256 nt;
        uint256 nc;
        uint256 np;
        for (uint256 i = 0; i < g.transferPolicies.length; i++) {
            if (g.transferPolicies[i].valueLimit.limitType != 0) nt++;
        }
        for (uint256 i = 0; i < g.callPolicies.length; i++) {
            CallSpec storage p = g.callPolicies[i];
            if (p.valueLimit.limitType != 0) nc++;
            for (uint256 j = 0; j < p.constraints.length; j++) {
                if (p.constraints[j].limit.limitType != 0) np++;
            }
        }
        st.transferValue = new LimitState[](nt);
        st.callValue = new LimitState[](nc);
        st.callParams = new LimitState[](np);
        nt = 0;
        nc = 0;
        np = 0;
        for (uint256 i = 0; i < g.transferPolicies.length; i++) {
            TransferSpec storage t = g.transferPolicies[i];
            if (t.valueLimit.limitType == 0) continue;
            st.transferValue[nt++] = LimitState(
                _remaining(uid, _key(KIND_TRANSFER_VALUE, i, 0), t.valueLimit), t.target, bytes4(0), 0
            );
        }
        for (uint256 i = 0; i < g.callPolicies.length; i++) {
            CallSpec storage p = g.callPolicies[i];
            if (p.valueLimit.limitType != 0) {
                st.callValue[nc++] =
                    LimitState(_remaining(uid, _key(KIND_CALL_VALUE, i, 0), p.valueLimit), p.target, p.selector, 0);
            }
            for (uint256 j = 0; j < p.constraints.length; j++) {
                Constraint storage k = p.constraints[j];
                if (k.limit.limitType == 0) continue;
                st.callParams[np++] =
                    LimitState(_remaining(uid, _key(KIND_CALL_PARAM, i, j), k.limit), p.target, p.selector, k.index);
            }
        }
        return st;
    }

    // ------------------------------------------------------------------
    // Plain value, ERC-165 and token receiver hooks
    // ------------------------------------------------------------------

    /// Cheap enough for Solidity's 2300-gas transfer stipend.
    receive() external payable {
        if (msg.value > 0) emit ValueReceived(address(this), msg.sender, msg.value);
    }

    // No fallback(): like the interface it implements, the account answers
    // only the functions it declares, so a call to anything else reverts
    // instead of "succeeding" with empty return data.

    // The hooks and supportsInterface are declared virtual so that their
    // ABI mutability can be view/nonpayable as in the interface (solc only
    // suggests "pure" for non-virtual functions).

    /// ERC-165: ERC-165 itself and the ERC-721 / ERC-1155 receiver interfaces.
    function supportsInterface(bytes4 interfaceId) external view virtual returns (bool) {
        return interfaceId == 0x01ffc9a7 // IERC165
            || interfaceId == 0x150b7a02 // IERC721Receiver
            || interfaceId == 0x4e2312e0; // IERC1155Receiver
    }

    /// Accepts every ERC-721 safe transfer.
    function onERC721Received(address, address, uint256, bytes calldata) external virtual returns (bytes4) {
        return this.onERC721Received.selector;
    }

    /// Accepts every ERC-1155 safe transfer.
    function onERC1155Received(address, address, uint256, uint256, bytes calldata)
        external
        virtual
        returns (bytes4)
    {
        return this.onERC1155Received.selector;
    }

    /// Accepts every ERC-1155 safe batch transfer.
    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        virtual
        returns (bytes4)
    {
        return this.onERC1155BatchReceived.selector;
    }
}
